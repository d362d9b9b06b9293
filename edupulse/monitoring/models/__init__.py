from edupulse.monitoring.models.alerts import AlertChannel, AlertDelivery, MaintenanceWindow
from edupulse.monitoring.models.notices import Notice, NoticeItem
from edupulse.monitoring.models.registry import EducationApp, InformationSystem, Website
from edupulse.monitoring.models.results import CheckResult, DailyAggregate, Finding, RegionDaily, SiteState
from edupulse.monitoring.models.sweeps import ScheduledJob, Sweep, SweepBatch

__all__ = [
    "AlertChannel", "AlertDelivery", "CheckResult", "DailyAggregate", "EducationApp", "Finding",
    "InformationSystem", "MaintenanceWindow", "Notice", "NoticeItem", "RegionDaily", "ScheduledJob", "SiteState",
    "Sweep", "SweepBatch", "Website",
]
