"""Configuration in the admin: the administrator assigns a user's office and roles, and edits the map."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tramites.models import Oficina, ProvinciaOficina
from tramites.roles import Rol


@pytest.fixture(autouse=True)
def _hash_rapido(settings):
    """Argon2 is checked in test_personal_ingreso; here the demo users are hashed fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_client_demo(personal):
    c = Client()
    c.force_login(personal["admin"])
    return c


@pytest.mark.django_db
def test_los_grupos_de_roles_vienen_de_la_migracion():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Rol}


@pytest.mark.django_db
def test_el_administrador_asigna_oficina_y_roles_a_un_usuario(personal, admin_client_demo):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    nuevo = User.objects.create_user("nueva.analista", password="Una-Clave-Larga-2026", first_name="Nadia")
    url = f"/admin/auth/user/{nuevo.pk}/change/"
    html = admin_client_demo.get(url).content.decode()
    assert 'name="perfil-0-oficina"' in html and 'name="groups"' in html
    azuay = Oficina.objects.get(codigo="azuay")
    datos = {
        "username": "nueva.analista",
        "first_name": "Nadia",
        "last_name": "Analista",
        "email": "nadia@iess.gob.ec",
        "is_active": "on",
        "groups": [Group.objects.get(name="analista").pk, Group.objects.get(name="evaluador").pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "08:00:00",
        "perfil-TOTAL_FORMS": "1",
        "perfil-INITIAL_FORMS": "0",
        "perfil-MIN_NUM_FORMS": "0",
        "perfil-MAX_NUM_FORMS": "1",
        "perfil-0-oficina": azuay.pk,
        "perfil-0-usuario": nuevo.pk,
    }
    r = admin_client_demo.post(url, datos)
    assert r.status_code == 302, r.content.decode()[:2000]
    nuevo.refresh_from_db()
    assert nuevo.perfil.oficina == azuay
    assert nuevo.perfil.roles == {"analista", "evaluador"}
    # And the staff pages now treat her as a member of that office.
    c = Client()
    c.force_login(nuevo)
    assert c.get("/personal/").status_code == 200


@pytest.mark.django_db
def test_el_mapa_de_provincias_se_edita_en_el_admin(personal, admin_client_demo):
    """Cañar served by the Azuay office: edit the map, and the next case of Cañar goes there."""
    from tramites.tramitacion import enrutamiento

    canar = ProvinciaOficina.objects.get(provincia="03")
    azuay = Oficina.objects.get(codigo="azuay")
    url = f"/admin/tramites/provinciaoficina/{canar.pk}/change/"
    assert admin_client_demo.get(url).status_code == 200
    r = admin_client_demo.post(url, {"provincia": "03", "oficina": azuay.pk})
    assert r.status_code == 302
    assert enrutamiento.oficina_para_provincia("03") == azuay
    assert admin_client_demo.get("/admin/tramites/provinciaoficina/").status_code == 200
