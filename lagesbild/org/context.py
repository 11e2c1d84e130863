from . import scope as org_scope


def scope(request):
    """Template context: the user's part of the organisation, for the header and links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scope_units": org_scope.roots(user), "scope_is_national": org_scope.is_national(user)}
