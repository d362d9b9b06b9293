from edupulse.orgs.models.region import Region
from edupulse.orgs.models.school import School

__all__ = ["Region", "School"]
