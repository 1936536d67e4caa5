"""The pharmacy or clinic people can reach themselves, read from contact.yml."""

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Text

import yaml

CONTACT_FILE = Path("contact.yml")
FIELDS = ("name", "phone", "hours", "link")


class ContactError(ValueError):
    """contact.yml is not usable; the message says what to fix."""


@dataclass(frozen=True)
class Contact:
    name: Text
    phone: Optional[Text] = None
    hours: Optional[Text] = None
    link: Optional[Text] = None

    def details(self) -> Text:
        """One labelled line per detail, so it reads as a phone number or a web
        page to use, not as a person in the chat."""
        lines: List[Text] = []
        if self.phone:
            lines.append(f"Phone: {self.phone}")
        if self.hours:
            lines.append(f"Hours: {self.hours}")
        if self.link:
            lines.append(f"Web page: {self.link}")
        return "\n".join(lines)

    def template_values(self) -> Dict[Text, Text]:
        """The values domain.yml's utter_ask_human names."""
        return {"contact_name": self.name, "contact_details": self.details()}


def load_contact(path: Path = CONTACT_FILE) -> Optional[Contact]:
    """The configured contact, or None when the file leaves it empty."""
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return None
    values = config.get("contact") if isinstance(config, dict) else None
    if not values:
        return None
    if not isinstance(values, dict):
        raise ContactError(f"{path}: `contact` must be a mapping of {', '.join(FIELDS)}")
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ContactError(
            f"{path}: unknown contact field(s) {', '.join(sorted(unknown))}; use {', '.join(FIELDS)}"
        )
    cleaned = {
        key: str(value).strip() for key, value in values.items() if value is not None and str(value).strip()
    }
    if "name" not in cleaned or not ({"phone", "link"} & set(cleaned)):
        raise ContactError(f"{path}: a contact needs a name and a phone or a link")
    if "link" in cleaned and not cleaned["link"].startswith(("https://", "http://")):
        raise ContactError(f"{path}: the link must start with https:// or http://")
    return Contact(**cleaned)
