"""Workers, jobs and outcomes as the data contract describes them: parse, save, load, export.

One module per record kind; every SQL statement that writes these rows lives here, so the
importer, the demo generator and the web app share them.
"""

from matcher.records.parsing import RowError
from matcher.records.saving import SaveStatus

__all__ = ["RowError", "SaveStatus"]
