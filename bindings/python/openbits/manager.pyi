# openbits.manager: where Manager is defined; it is typed, and imported,
# from openbits (__init__.pyi).
from . import Manager as Manager
