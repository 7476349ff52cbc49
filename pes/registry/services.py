"""Writes to the registry. Views, forms, the API and imports call these; nothing else writes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from pes.lib.text import fold
from pes.registry.models import Activity, LegalForm, Membership, Organization
from pes.territory.models import Municipality

M2M_FIELDS = ("activities", "municipalities_served", "missions")


def organization_search_document(org: Organization) -> str:
    """The folded text the SQLite search matches and PostgreSQL indexes."""
    parts = [
        org.name,
        org.codice_fiscale,
        org.partita_iva,
        org.runts_id,
        org.description,
        org.head_office.name if org.head_office_id else "",
    ]
    return fold(" ".join(p for p in parts if p))


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:240] or "ente"
    slug = base
    n = 2
    qs = Organization.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def organization_create(*, data: dict[str, Any], created_by: Any = None) -> Organization:
    """Create an organisation from cleaned data (model fields plus m2m lists)."""
    m2m = {k: data.pop(k) for k in M2M_FIELDS if k in data}
    org = Organization(**data)
    org.slug = _unique_slug(org.name)
    org.search_document = organization_search_document(org)
    org.save()
    for key, values in m2m.items():
        getattr(org, key).set(values)
    if created_by is not None and getattr(created_by, "is_authenticated", False):
        Membership.objects.get_or_create(
            user=created_by, organization=org, defaults={"role": Membership.Role.MANAGER}
        )
    return org


def _stored_values(organization: Organization, keys: list[str]) -> dict[str, Any]:
    """The stored values of the given fields (foreign keys as ids), fetched in one query."""
    if organization.pk is None or not keys:
        return {}
    attnames = {key: getattr(Organization._meta.get_field(key), "attname", key) for key in keys}
    row = Organization.objects.filter(pk=organization.pk).values(*attnames.values()).first()
    return {key: (row or {}).get(attname) for key, attname in attnames.items()}


@transaction.atomic
def organization_update(*, organization: Organization, data: dict[str, Any]) -> Organization:
    """Update the given fields of an organisation; m2m lists replace the current sets."""
    m2m = {k: data.pop(k) for k in M2M_FIELDS if k in data}
    # Compare with the stored row, not the instance: a ModelForm has already copied the
    # cleaned values onto it, so comparing with the instance would find nothing changed.
    stored = _stored_values(organization, list(data))
    changed = []
    for key, value in data.items():
        setattr(organization, key, value)
        if stored.get(key) != getattr(value, "pk", value):
            changed.append(key)
    if "name" in changed:
        organization.slug = _unique_slug(organization.name, exclude_pk=organization.pk)
        changed.append("slug")
    document = organization_search_document(organization)
    if document != organization.search_document:
        organization.search_document = document
        changed.append("search_document")
    if changed:
        organization.save(update_fields=[*changed, "updated_at"])
    for key, values in m2m.items():
        getattr(organization, key).set(values)
    return organization


def organization_add_member(
    *, organization: Organization, user: Any, role: str = Membership.Role.EDITOR
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    if user.role == user.Role.VISITOR:
        user.role = user.Role.MEMBER
        user.save(update_fields=["role"])
    return membership


def reference_maps() -> dict[str, dict[str, Any]]:
    """Look-up tables used by imports and the API, fetched once."""
    return {
        "legal_forms": {lf.code: lf for lf in LegalForm.objects.all()},
        "activities": {a.letter: a for a in Activity.objects.all()},
        "municipalities": {m.istat_code: m for m in Municipality.objects.all()},
    }


def organizations_refresh_search(*, organizations: Iterable[Organization]) -> int:
    batch = []
    for org in organizations:
        org.search_document = organization_search_document(org)
        batch.append(org)
    Organization.objects.bulk_update(batch, ["search_document"], batch_size=1000)
    return len(batch)
