"""Staff pages: login and the inbox (extended by the staff-workspace work)."""
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .selectors import tramites_visibles


class IngresoView(LoginView):
    template_name = "personal/login.html"
    redirect_authenticated_user = True


@require_POST
def salir(request):
    logout(request)
    return redirect("personal:login")


@login_required
def bandeja(request):
    tramites = tramites_visibles(usuario=request.user)[:50]
    return render(request, "personal/bandeja.html", {"tramites": tramites})
