"""Redis (the cache of rate limits and pages) down: citizens still get their pages, never a 500."""
import pytest
from django.core.cache import cache
from django.test import override_settings

REDIS_CAIDO = {
    "default": {
        "BACKEND": "tramites.cache.TolerantRedisCache",
        "LOCATION": "redis://127.0.0.1:6391/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def cache_caida():
    with override_settings(CACHES=REDIS_CAIDO):
        yield


def test_la_cache_caida_se_comporta_como_vacia(cache_caida):
    cache.set("clave", 1)
    assert cache.get("clave", "nada") == "nada"
    assert cache.add("clave", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.incr("clave") is None


@pytest.mark.parametrize("ruta", ["/", "/solicitud/", "/consulta/", "/transparencia/", "/quejas/nueva/"])
def test_paginas_publicas_sin_redis(client, oficinas, cache_caida, ruta):
    assert client.get(ruta).status_code == 200


def test_consulta_limitada_sin_redis_responde_y_no_bloquea(client, oficinas, cache_caida):
    for _ in range(3):
        respuesta = client.post("/consulta/", {"referencia": "2026-AAAA-AAAA-A", "identificacion": "1"})
        assert respuesta.status_code == 200
