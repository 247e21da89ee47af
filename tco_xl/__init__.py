"""tco_xl: total cost of ownership of contact-center infrastructure, in Python and in Excel.

    >>> import tco_xl
    >>> r = tco_xl.price("hybrid", 47)
    >>> round(r.year1, 2), len(r.components) > 10
    (103156.33, True)
"""

from .assumptions import Assumptions, default_assumptions
from .engine import compare, evaluate, price
from .errors import InputError, TcoError, WorkbookError

__version__ = "0.1.0"
__all__ = ["Assumptions", "InputError", "TcoError", "WorkbookError", "__version__", "compare",
           "default_assumptions", "evaluate", "price"]
