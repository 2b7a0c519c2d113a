"""The `holidays` package's calendar of a Nordic country, loaded without all the others.

`holidays.country_holidays` reaches a country through the package's `holidays.countries`,
whose `__init__` imports every country it knows (~250): measured in a fresh interpreter,
~0.18 s of CPU and ~17 MB resident, against ~0.07 s and ~9 MB for the four this product
knows. So the class of DK, SE, NO or FI is taken from its own module file, registered under
its usual name: whatever imports `holidays.countries` later finds that same module and class.
Another country goes through `country_holidays` as before.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase

# The package's module of each country of journey.closed_days.COUNTRIES; its class is named
# by the country's code there (`holidays.DK`), as `country_holidays` finds it.
MODULES = {"DK": "denmark", "SE": "sweden", "NO": "norway", "FI": "finland"}
_LOADING = threading.Lock()  # one module, executed once, whichever thread asks first


def country_calendar(country: str, **options: object) -> HolidayBase:
    """What `holidays.country_holidays(country, **options)` returns."""
    if country not in MODULES:
        import holidays

        return holidays.country_holidays(country, **options)
    return _calendar_class(country)(**options)


@cache
def _calendar_class(country: str) -> type[HolidayBase]:
    module_name = MODULES[country]
    name = f"holidays.countries.{module_name}"
    with _LOADING:
        module = sys.modules.get(name)
        if module is None:
            package = importlib.util.find_spec("holidays")  # found, not imported
            if package is None or package.origin is None:
                raise ModuleNotFoundError("the holidays package is not installed")
            path = Path(package.origin).parent / "countries" / f"{module_name}.py"
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ModuleNotFoundError(f"no module {name} at {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
    return getattr(module, country)
