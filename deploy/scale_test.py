"""`make scale-test`: the scale-out profile (docs/deploy.md), proved on this machine.

Installs PostgreSQL, Redis and nginx from Debian packages if they are missing,
starts each on loopback from a temporary directory as a child of this process,
then two Rasa replicas with deploy/endpoints.scale.yml behind nginx rendered
from deploy/nginx.conf.template, and drives conversations through nginx over
REST:

  run 1  50 conversations x 20 turns, people pausing 1-3 s between messages
         (--think): no 5xx, every reply the right one, every user turn stored
         exactly once and in order in PostgreSQL, with e-mail addresses and
         phone numbers redacted;
  run 2  the same with new conversations; one replica is SIGKILLed when 40 % of
         the turns are done: the conversations go on with the other replica,
         under 1 % of requests fail, every answered turn is stored exactly once.

Prints the figures, stops everything it started and removes its files. Exit
status 1 if a check fails (the logs are then kept in results/scale-test-logs/).
"""

import argparse
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import List

import requests
import yaml

from bench.server import MODEL, ROOT, rss_mb
from deploy.checks import ORIGIN, check_api, check_nginx_rate_limit, check_socketio, evaluate
from deploy.load import RunResult, drive, plan_conversations
from deploy.report import STARTED, CheckFailed, log, print_table
from deploy.services import (
    Stack,
    ensure_packages,
    read_new_lines,
    start_nginx,
    start_postgres,
    start_redis,
    start_replicas,
)

FAILED_LOGS = ROOT / "results" / "scale-test-logs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument(
        "--kill-at", type=float, default=0.4, help="fraction of turns done when a replica dies"
    )
    parser.add_argument(
        "--lock-lifetime",
        default=os.environ.get("TICKET_LOCK_LIFETIME", "10"),
        help="TICKET_LOCK_LIFETIME for the replicas (s)",
    )
    parser.add_argument(
        "--think",
        default="1,3",
        help="seconds a person takes between an answer and the next message: min,max",
    )
    parser.add_argument(
        "--retry-post",
        action="store_true",
        help="measure the alternative: nginx re-sends delivered POSTs (non_idempotent)",
    )
    args = parser.parse_args()
    think = tuple(float(x) for x in args.think.split(","))
    if not MODEL.exists():
        print(f"{MODEL} is missing: make train", file=sys.stderr)
        return 2

    # SIGTERM/SIGHUP end the run like Ctrl-C: through the finally below.
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)

    ensure_packages()
    tmp = Path(tempfile.mkdtemp(prefix="rasa-scale-"))
    tmp.chmod(0o711)  # postgres and nginx workers must reach their own subdirectories
    logs = tmp / "logs"
    logs.mkdir()
    stack = Stack(logs)
    problems: List[str] = []
    runs: List[RunResult] = []
    try:
        db = start_postgres(stack, tmp)
        log(f"PostgreSQL on 127.0.0.1:{db['DB_PORT']}")
        lock = start_redis(stack, tmp)
        log(f"Redis on 127.0.0.1:{lock['REDIS_PORT']}")
        token = secrets.token_hex(24)
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            RASA_TELEMETRY_ENABLED="false",
            TICKET_LOCK_LIFETIME=str(args.lock_lifetime),
            SQL_POOL_SIZE="10",
            SQL_MAX_OVERFLOW="10",
            ALLOWED_ORIGINS=ORIGIN,
            TRUSTED_PROXIES="127.0.0.1",  # nginx
            **db,
            **lock,
        )
        replicas = start_replicas(stack, env, token, 2)
        log("Rasa replicas ready on ports " + ", ".join(str(r.port) for r in replicas))
        nginx = start_nginx(stack, tmp, [r.port for r in replicas], retry_post=args.retry_post)
        log(f"nginx on 127.0.0.1:{nginx.port}")

        # The first message a replica answers is slow (TensorFlow builds its
        # graphs): send one to each so the runs measure replicas in service.
        for replica in replicas:
            requests.post(
                f"http://127.0.0.1:{replica.port}/webhooks/rest/webhook",
                json={"sender": f"warm-up-{uuid.uuid4().hex[:8]}", "message": "/greet"},
                timeout=60,
            )
        log("replica memory (RSS): " + ", ".join(f"{rss_mb(r.process.pid):.0f} MB" for r in replicas))
        problems += check_api(replicas[0].port, nginx.port, token)
        responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
        problems += check_socketio(
            nginx.port, [responses[n][0]["text"] for n in ("utter_greet", "utter_disclaimer", "utter_topics")]
        )
        problems += check_nginx_rate_limit(nginx.port)

        url = f"http://127.0.0.1:{nginx.port}/webhooks/rest/webhook"
        time.sleep(0.5)  # let nginx write the checks' access log lines: the runs read only theirs
        _, offset = read_new_lines(nginx.access_log, 0)
        victim = replicas[1]

        def kill_replica() -> None:
            victim.process.send_signal(signal.SIGKILL)
            log(f"SIGKILL {victim.name} (pid {victim.process.pid})")

        for name, seed, kill_run in (("run 1", 1, False), ("run 2: replica killed", 2, True)):
            conversations = plan_conversations(args.conversations, args.turns, f"r{seed}", seed)
            log(f"{name}: {args.conversations} conversations x {args.turns} turns through nginx")
            state = drive(
                url, conversations, think, kill=kill_replica if kill_run else None, kill_fraction=args.kill_at
            )
            result = RunResult(
                name,
                conversations,
                state["duration"],
                state["killed_at_turn"],
                state["in_flight_at_kill"],
                state["kill_time"],
                state.get("kill_wall", 0.0),
            )
            time.sleep(0.5)  # let nginx flush its access log lines
            result.nginx_lines, offset = read_new_lines(nginx.access_log, offset)
            evaluate(result, db, kill_run)
            result.figures = {
                "think time (s)": args.think.replace(",", "-"),
                "nginx re-sends delivered POSTs": "yes" if args.retry_post else "no",
                **result.figures,
            }
            runs.append(result)
            log(
                f"{name}: {result.figures['answered (200)']}/{result.figures['requests']} answered "
                f"in {result.figures['duration (s)']} s"
            )
            problems += [f"{name}: {p}" for p in result.problems]
        if runs and runs[-1].killed_at_turn is not None and replicas[1].process.poll() is None:
            problems.append("the killed replica is still running")
    except CheckFailed as error:
        problems.append(str(error))
    except KeyboardInterrupt as error:
        problems.append(f"interrupted ({error})")
    finally:
        log("stopping everything this test started")
        stack.stop_all()
        shutil.rmtree(FAILED_LOGS, ignore_errors=True)  # an earlier failure's
        if problems:
            shutil.copytree(logs, FAILED_LOGS)
        shutil.rmtree(tmp, ignore_errors=True)

    if runs:
        print_table(runs)
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        print(f"Logs: {FAILED_LOGS.relative_to(ROOT)}/")
        return 1
    print(f"OK: scale-out profile checked in {time.monotonic() - STARTED:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
