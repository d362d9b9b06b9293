"""State changes of regions and schools, one module per topic: :mod:`.regions` (loading GB/T 2260, region
flags) and :mod:`.schools` (saving, deleting and importing schools). Every public function is an action."""

from edupulse.orgs.actions.regions import DIVISIONS_DIR, RegionLoadResult, load_regions, set_region_flags
from edupulse.orgs.actions.schools import SchoolImportResult, delete_school, import_schools, save_school

__all__ = [
    "DIVISIONS_DIR", "RegionLoadResult", "SchoolImportResult", "delete_school", "import_schools", "load_regions",
    "save_school", "set_region_flags",
]
