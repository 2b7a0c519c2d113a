"""Windows time zone names (what Outlook stores by default) as IANA names, for the zones our
users live in and their neighbours. From CLDR's windowsZones.xml, territory "001"."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WINDOWS_TO_IANA: dict[str, str] = {
    "Romance Standard Time": "Europe/Paris",  # Copenhagen, Brussels, Madrid, Paris
    "W. Europe Standard Time": "Europe/Berlin",  # Stockholm, Oslo, Amsterdam, Berlin, Rome
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "FLE Standard Time": "Europe/Kiev",  # Helsinki, Riga, Tallinn, Vilnius
    "GMT Standard Time": "Europe/London",  # Dublin, Lisbon, London
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "Greenland Standard Time": "America/Godthab",
    "UTC-02": "Etc/GMT+2",
    "Azores Standard Time": "Atlantic/Azores",
    "E. Europe Standard Time": "Europe/Chisinau",
    "GTB Standard Time": "Europe/Bucharest",
    "Russian Standard Time": "Europe/Moscow",
    "UTC": "Etc/UTC",
    "Coordinated Universal Time": "Etc/UTC",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "Pacific Standard Time": "America/Los_Angeles",
    "India Standard Time": "Asia/Calcutta",
    "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo",
    "AUS Eastern Standard Time": "Australia/Sydney",
}


def iana_zone(name: str | None) -> str | None:
    """The IANA name for a Windows or IANA time zone name; None when it is neither."""
    if not name or not name.strip():
        return None
    candidate = WINDOWS_TO_IANA.get(name.strip(), name.strip())
    try:
        ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return candidate
