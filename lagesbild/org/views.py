"""Organisation pages: the tree browser, a unit's page, import and reorganisation.

Views are thin: selectors answer, services change, and both check scope and role.
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lagesbild.calc import fmt
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import

from . import scope, selectors, services
from .forms import ReorganiseForm, UnitCreateForm, UnitEditForm, UnitImportForm
from .models import OrgUnit


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _hx_redirect(request, target: str):
    if _is_htmx(request):
        # htmx follows redirects inside the request; ask it to navigate instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _as_of(request) -> Optional[date]:
    """The optional ?per=YYYY-MM-DD: show the organisation as it was on that day."""
    raw = request.GET.get("per", "")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _visible_unit(request, code: str) -> OrgUnit:
    return scope.visible_unit(request.user, code)


def _tree_context(request, **extra) -> dict:
    per = _as_of(request)
    return {
        "per": per,
        "ref_date": per or timezone.localdate(),
        "may_import": selectors.may_import(request.user),
        "q_max": selectors.SEARCH_MAX_LENGTH,
        **extra,
    }


@login_required
@require_GET
def tree(request):
    top = selectors.top_units(request.user)
    return render(request, "org/tree.html", _tree_context(request, top=top, q=""))


@login_required
@require_GET
def children(request, code):
    unit = _visible_unit(request, code)
    if not _is_htmx(request):
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("org:unit", args=[unit.code]) + query)
    kids = selectors.children(unit, _as_of(request), request.user)
    return render(request, "org/_children.html", _tree_context(request, units=kids))


@login_required
@require_GET
def search(request):
    q = " ".join(request.GET.get("q", "").split())[: selectors.SEARCH_MAX_LENGTH]
    found = list(selectors.search(request.user, q)[: selectors.SEARCH_LIMIT + 1]) if q else []
    ctx = _tree_context(request, q=q, results=found[: selectors.SEARCH_LIMIT],
                        more=len(found) > selectors.SEARCH_LIMIT, searched=bool(q))
    if _is_htmx(request):
        return render(request, "org/_search_results.html", ctx)
    return render(request, "org/tree.html", {**ctx, "top": selectors.top_units(request.user)})


def _unit_page(request, unit, edit_form=None, create_form=None, status=200):
    successors, predecessors = selectors.history(unit, request.user)
    may_edit = selectors.can_edit(request.user, unit)
    may_add = selectors.can_add_children(request.user, unit)
    if may_edit and edit_form is None:
        edit_form = UnitEditForm(initial={"name": unit.name, "valid_from": unit.valid_from, "valid_to": unit.valid_to})
    if may_add and create_form is None:
        create_form = UnitCreateForm(parent=unit)
    ctx = _tree_context(
        request,
        unit=unit,
        crumbs=[a for a in selectors.ancestors(unit) if scope.can_see(request.user, a)],
        units=selectors.children(unit, _as_of(request), request.user),
        successors=successors,
        predecessors=predecessors,
        mapped_here=selectors.mapped_here(unit).filter(scope.unit_q(request.user))[:100],
        edit_form=edit_form if may_edit else None,
        create_form=create_form if may_add else None,
    )
    return render(request, "org/unit.html", ctx, status=status)


@login_required
@require_GET
def unit_detail(request, code):
    return _unit_page(request, _visible_unit(request, code))


@login_required
@require_POST
def unit_edit(request, code):
    unit = _visible_unit(request, code)
    if not selectors.can_edit(request.user, unit):
        raise PermissionDenied("Endast administratörer får ändra enheten.")
    form = UnitEditForm(request.POST)
    if form.is_valid():
        try:
            changed = services.update_unit(unit, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Enheten sparades." if changed else "Inget ändrades.")
            return redirect("org:unit", code=unit.code)
    return _unit_page(request, unit, edit_form=form, status=422)


@login_required
@require_POST
def unit_create(request, code):
    parent = _visible_unit(request, code)
    if not selectors.can_add_children(request.user, parent):
        raise PermissionDenied("Endast administratörer får skapa enheter.")
    form = UnitCreateForm(request.POST, parent=parent)
    if form.is_valid():
        try:
            unit = services.create_unit(parent, actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{unit.name} skapades.")
            return redirect("org:unit", code=unit.code)
    return _unit_page(request, parent, create_form=form, status=422)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _require_admin(request) -> None:
    if not selectors.may_import(request.user):
        raise PermissionDenied("Endast administratörer får ändra organisationen.")


@login_required
@require_http_methods(["GET", "POST"])
def import_units(request):
    _require_admin(request)
    form = UnitImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            result = services.import_units(f.read(), f.name, actor=Actor.from_request(request))
        except InputError as exc:
            problems = exc.problems
        else:
            if result.outcome == Import.Outcome.UNCHANGED:
                messages.info(request, "Filen är redan importerad; inget ändrades.")
            else:
                messages.success(
                    request,
                    f"Importerade {f.name}: {fmt.number(len(result.created))} nya och "
                    f"{fmt.number(len(result.updated))} ändrade enheter, "
                    f"{fmt.number(result.unchanged)} oförändrade.",
                )
            return _hx_redirect(request, reverse("org:tree"))
    template = "org/_import_form.html" if _is_htmx(request) else "org/import.html"
    recent = Import.objects.filter(kind=services.KIND_IMPORT, uploaded_by=request.user)[:10]
    return render(request, template, {"form": form, "problems": problems, "recent": recent},
                  status=422 if problems else 200)


@login_required
@require_http_methods(["GET", "POST"])
def reorganise(request):
    _require_admin(request)
    initial = {"closed": request.GET.get("stang", ""), "on": timezone.localdate()}
    form = ReorganiseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.reorganise(d["closed"], d["successors"], d["on"], actor=Actor.from_request(request),
                                   note=d["note"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                names = ", ".join(u.name for u in d["closed"])
                messages.success(request, f"Omorganisationen sparades: {names} gäller till och med dagen före "
                                          f"{d['on']:%Y-%m-%d}.")
                return redirect("org:unit", code=d["successors"][0].code)
        return render(request, "org/reorganise.html", {"form": form}, status=422)
    return render(request, "org/reorganise.html", {"form": form})
