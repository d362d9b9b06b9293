"""One router for the whole REST API, so /api/ lists every endpoint in one place."""

from rest_framework.routers import DefaultRouter

from edupulse.accounts.api.views import UserViewSet
from edupulse.core.api.views import AuditLogViewSet
from edupulse.orgs.api.views import RegionViewSet, SchoolViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet)
router.register("schools", SchoolViewSet)
router.register("users", UserViewSet)
router.register("audit", AuditLogViewSet)

urlpatterns = router.urls
