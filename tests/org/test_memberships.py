"""Roles are given through the service: administrator on the unit, audited by user id."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from lagesbild.core.actor import Actor
from lagesbild.org.models import AuditEvent, Membership, OrgUnit
from lagesbild.org.services import set_membership

pytestmark = pytest.mark.django_db


def test_an_administrator_gives_a_role_within_their_region(kalmar_admin, kalmar_units):
    colleague = get_user_model().objects.create_user("kollega")
    unit = OrgUnit.objects.get(code="08-SOM-MED")
    set_membership(colleague, unit, "manager", actor=Actor.cli(kalmar_admin))
    set_membership(colleague, unit, "reader", actor=Actor.cli(kalmar_admin))
    assert list(Membership.objects.filter(user=colleague).values_list("org_unit__code", "role")) == [
        ("08-SOM-MED", "reader")]
    events = list(AuditEvent.objects.filter(action__startswith="org.membership").order_by("id"))
    assert [e.action for e in events] == ["org.membership.create", "org.membership.update"]
    assert events[0].detail == {"user_id": colleague.pk, "unit": "08-SOM-MED", "role": "manager"}
    assert "kollega" not in str(events[0].detail)


def test_only_an_administrator_over_the_unit_gives_roles(kalmar_admin, kalmar_user, skane_units):
    colleague = get_user_model().objects.create_user("kollega")
    with pytest.raises(PermissionDenied):
        set_membership(colleague, OrgUnit.objects.get(code="12-SUS"), "admin", actor=Actor.cli(kalmar_admin))
    with pytest.raises(PermissionDenied):
        set_membership(colleague, OrgUnit.objects.get(code="08"), "admin", actor=Actor.cli(kalmar_user))
    assert not Membership.objects.filter(user=colleague).exists()
    set_membership(colleague, OrgUnit.objects.get(code="12"), "reader", actor=Actor.system())
    assert AuditEvent.objects.get(action="org.membership.create").channel == "system"
