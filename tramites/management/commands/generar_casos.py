"""Generate N realistic cases in bulk, for benchmarks and for trying the staff pages with volume.

    manage.py generar_casos 1000000 [--anios 2] [--semilla 7] [--historial] [--estado INGRESADO]

Cases are spread over the 24 provinces and abroad (weighted roughly by population), filed over the last
two years; the old ones are closed (resolved, desisted or archived), the recent ones open in every
state, with the legal due date in Ecuadorian business days, their office from the province map and an
analyst of that office. `--estado INGRESADO` makes unrouted cases (for the routing benchmark).
On PostgreSQL the rows go in with COPY (1,000,000 cases in about a minute); elsewhere with bulk_create.
"""

import random
import secrets
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ... import referencias
from ...estados import Estado
from ...models import HistorialEstado, Oficina, PerfilPersonal, ProvinciaOficina, Tramite
from ...plazos import sumar_dias_habiles
from ...roles import Rol

# Rough share of requests per province (population-weighted); "30" is Ecuadorians abroad.
PESOS_PROVINCIA = {
    "09": 26, "17": 18, "13": 9, "12": 5, "01": 5, "07": 4, "08": 3.5, "06": 3, "18": 3, "11": 3,
    "05": 2.7, "10": 2.7, "23": 2.6, "24": 2.3, "02": 1.2, "03": 1.5, "04": 1.1, "14": 1, "15": 0.8,
    "16": 0.7, "19": 0.7, "20": 0.2, "21": 1.2, "22": 1.1, "30": 1,
}  # fmt: skip
NOMBRES = [
    "María", "José", "Luis", "Ana", "Carlos", "Rosa", "Jorge", "Carmen", "Juan", "Gloria", "Segundo",
    "Martha", "Manuel", "Blanca", "Víctor", "Patricia", "Fernando", "Mercedes", "Wilson", "Narcisa",
    "Pedro", "Lucía", "Ángel", "Teresa", "Miguel", "Elena", "Francisco", "Laura", "Héctor", "Silvia",
    "Edison", "Jessica", "Byron", "Verónica", "Klever", "Mayra", "Washington", "Fanny", "Galo", "Norma",
]  # fmt: skip
# Surnames common in Ecuador; real names are more varied still, so searches here are pessimistic.
APELLIDOS = [
    "Pérez", "Guamán", "Quishpe", "Andrade", "Zambrano", "Mendoza", "Cedeño", "Vera", "Morales",
    "Torres", "Chávez", "Suárez", "Sánchez", "Loor", "Macías", "Toapanta", "Ñauta", "Villacís",
    "Paredes", "Yánez", "Castillo", "Cevallos", "Moreira", "Alvarado", "Jaramillo", "Chiluisa",
    "Rodríguez", "González", "López", "García", "Martínez", "Ramírez", "Flores", "Vargas", "Reyes",
    "Herrera", "Castro", "Ortiz", "Salazar", "Rivera", "Romero", "Vásquez", "Delgado", "Aguilar",
    "Muñoz", "Espinoza", "Cabrera", "Molina", "Ruiz", "Pazmiño", "Tenesaca", "Chimbo", "Caiza",
    "Pilco", "Lema", "Tipán", "Cando", "Sarango", "Bravo", "Intriago", "Mera", "Ponce", "Carrillo",
    "Velasco", "Benítez", "Valencia", "Córdova", "Palacios", "Acosta", "Arias", "Cruz", "Guerrero",
    "Naranjo", "Mosquera", "Quiñónez", "Bone", "Cortez", "Calderón", "Coello", "Briones", "Barre",
]  # fmt: skip
ABIERTOS = [Estado.ASIGNADO, Estado.EN_REVISION, Estado.OBSERVADO, Estado.EN_EVALUACION, Estado.EVALUADO]
PESOS_ABIERTOS = [25, 25, 15, 20, 15]


def _cedula(provincia: str, rnd: random.Random) -> str:
    """A cédula that passes the check digit, with the province's code (abroad: 30)."""
    nueve = provincia + str(rnd.randrange(0, 6)) + f"{rnd.randrange(0, 1_000_000):06d}"
    total = 0
    for i, c in enumerate(nueve):
        p = int(c) * (2 if i % 2 == 0 else 1)
        total += p - 9 if p > 9 else p
    return nueve + str((10 - total % 10) % 10)


class Command(BaseCommand):
    help = "Genera N trámites realistas en bloque (benchmarks, pruebas de volumen)."

    def add_arguments(self, parser):
        parser.add_argument("cantidad", type=int)
        parser.add_argument("--anios", type=float, default=2.0, help="period of intake, back from now")
        parser.add_argument("--semilla", type=int, default=None)
        parser.add_argument("--historial", action="store_true", help="also one or two history rows per case")
        parser.add_argument("--estado", choices=[Estado.INGRESADO], help="all cases in this state (unrouted)")
        parser.add_argument("--analistas-por-oficina", type=int, default=2, dest="analistas")

    def handle(self, *args, cantidad: int, anios: float, semilla, historial: bool, estado, analistas: int, **kw):  # noqa: E501
        if cantidad <= 0:
            raise CommandError("La cantidad debe ser positiva.")
        rnd = random.Random(semilla)
        inicio = time.perf_counter()
        mapa = dict(ProvinciaOficina.objects.values_list("provincia", "oficina_id"))
        nacional = list(
            Oficina.objects.filter(tipo=Oficina.Tipo.NACIONAL).order_by("pk").values_list("pk", flat=True)
        )
        if not mapa or not nacional:
            raise CommandError("No hay oficinas: ejecute antes `manage.py cargar_demo`.")
        oficina_de = {p: mapa.get(p, nacional[0]) for p in PESOS_PROVINCIA}
        analistas_de = self._analistas(set(oficina_de.values()), analistas) if estado is None else {}
        provincias = list(PESOS_PROVINCIA)
        pesos = list(PESOS_PROVINCIA.values())

        ahora = timezone.now()
        desde = ahora - timedelta(days=365 * anios)
        tz = timezone.get_current_timezone()
        vence_cache: dict = {}
        # A random starting point for the references' bodies: sequential, so unique among themselves,
        # and far from any randomly drawn reference of real cases.
        base = secrets.randbelow(31**8 - cantidad - 1)

        def filas():
            span = (ahora - desde).total_seconds()
            for i in range(cantidad):
                prov = rnd.choices(provincias, pesos)[0]
                creado = desde + timedelta(seconds=rnd.random() * span)
                local = creado.astimezone(tz)
                dia = local.date()
                vence = vence_cache.get(dia)
                if vence is None:
                    vence = vence_cache[dia] = sumar_dias_habiles(dia, 30)
                edad = (ahora - creado).days
                oficina = oficina_de[prov]
                analista = None
                resultado = ""
                enrutado = finalizado = None
                actualizado = creado
                if estado == Estado.INGRESADO:
                    st, oficina = Estado.INGRESADO, None
                else:
                    enrutado = creado + timedelta(seconds=rnd.uniform(1, 90))
                    abierto = edad < 20 or (edad < 90 and rnd.random() < 1 - (edad - 20) / 73)
                    if abierto:
                        st = rnd.choices(ABIERTOS, PESOS_ABIERTOS)[0]
                        actualizado = enrutado + timedelta(days=rnd.uniform(0, max(edad, 0.01)))
                    else:
                        r = rnd.random()
                        st = Estado.RESUELTO if r < 0.82 else Estado.DESISTIDO
                        st = Estado.ARCHIVADO if r >= 0.91 else st
                        actualizado = creado + timedelta(days=rnd.uniform(5, 60))
                        if st != Estado.ARCHIVADO:
                            finalizado = actualizado
                        if st == Estado.RESUELTO:
                            resultado = "favorable" if rnd.random() < 0.65 else "desfavorable"
                    lista = analistas_de.get(oficina) or []
                    if lista and not (st == Estado.ASIGNADO and rnd.random() < 0.1):
                        analista = lista[rnd.randrange(len(lista))]
                cuerpo = referencias.ALFABETO
                n = base + i
                letras = []
                for _ in range(8):
                    n, r = divmod(n, 31)
                    letras.append(cuerpo[r])
                texto = "".join(reversed(letras))
                anio = local.year
                referencia = f"{anio}-{texto[:4]}-{texto[4:]}-{referencias._control(anio, texto)}"
                nombres = f"{rnd.choice(NOMBRES)} {rnd.choice(NOMBRES)}"
                apellidos = f"{rnd.choice(APELLIDOS)} {rnd.choice(APELLIDOS)}"
                presencial = rnd.random() < 0.3
                yield {
                    "referencia": referencia,
                    "canal": Tramite.Canal.PRESENCIAL if presencial else Tramite.Canal.VIRTUAL,
                    "estado": st,
                    "tipo_identificacion": Tramite.TipoIdentificacion.CEDULA,
                    "identificacion": _cedula(prov if prov != "30" else rnd.choice(provincias[:-1]), rnd),
                    "nombres": nombres,
                    "apellidos": apellidos,
                    "correo": f"ciudadano{base + i}@example.com",
                    "telefono": f"+5939{rnd.randrange(10_000_000, 99_999_999)}",
                    "provincia": prov,
                    "acepta_tratamiento_datos": True,
                    "quipux": f"IESS-DSGRT-{anio}-{rnd.randrange(1, 9999):04d}-M" if presencial else "",
                    "originales_vistos": presencial,
                    "firma_manuscrita_verificada": presencial,
                    "oficina_id": oficina,
                    "analista_id": analista,
                    "resultado": resultado,
                    "creado_en": creado,
                    "actualizado_en": actualizado,
                    "enrutado_en": enrutado,
                    "vence_el": vence,
                    "finalizado_en": finalizado,
                }

        if connection.vendor == "postgresql":
            primero, ultimo = self._copiar(filas(), historial)
        else:
            primero, ultimo = self._bulk(filas(), historial)
        segundos = time.perf_counter() - inicio
        self.stdout.write(
            f"{cantidad:,} trámites generados en {segundos:.1f} s (id {primero}..{ultimo})".replace(",", ".")
        )

    # --- staff -------------------------------------------------------------------------------------

    def _analistas(self, oficinas: set[int], por_oficina: int) -> dict[int, list[int]]:
        """Active analysts of each office; offices without any get `por_oficina` bench analysts."""
        User = get_user_model()
        grupo, _ = Group.objects.get_or_create(name=Rol.ANALISTA)
        resultado: dict[int, list[int]] = {}
        for oficina_id in sorted(oficinas):
            ids = list(
                User.objects.filter(is_active=True, perfil__oficina_id=oficina_id, groups=grupo)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not ids and por_oficina > 0:
                codigo = Oficina.objects.get(pk=oficina_id).codigo
                for i in range(1, por_oficina + 1):
                    usuario, creado = User.objects.get_or_create(
                        username=f"analista.{codigo}.{i}"[:150],
                        defaults={"first_name": "Analista", "last_name": f"{codigo.title()} {i}"},
                    )
                    if creado:
                        usuario.set_unusable_password()
                        usuario.save()
                    PerfilPersonal.objects.get_or_create(usuario=usuario, defaults={"oficina_id": oficina_id})
                    usuario.groups.add(grupo)
                    ids.append(usuario.pk)
            resultado[oficina_id] = ids
        return resultado

    # --- writers ---------------------------------------------------------------------------------------

    def _columnas(self, modelo, dadas: list[str]) -> tuple[list[str], list]:
        """Columns the generator does not set, with their defaults (fields added later keep working)."""
        extra, valores = [], []
        for f in modelo._meta.concrete_fields:
            if f.primary_key or f.attname in dadas:
                continue
            extra.append(f.column)
            valores.append(None if f.null else f.get_db_prep_save(f.get_default(), connection))
        return extra, valores

    def _copiar(self, filas, historial: bool) -> tuple[int, int]:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SELECT COALESCE(MAX(id), 0) FROM tramites_tramite")
                antes = cur.fetchone()[0]
            raw = connection.connection
            primera = next(filas)
            cols = list(primera)
            extra, valores = self._columnas(Tramite, cols)
            columnas = ", ".join([Tramite._meta.get_field(c).column for c in cols] + extra)
            with raw.cursor() as cur:
                with cur.copy(f"COPY tramites_tramite ({columnas}) FROM STDIN") as copia:
                    copia.write_row([*primera.values(), *valores])
                    for fila in filas:
                        copia.write_row([*fila.values(), *valores])
            with connection.cursor() as cur:
                cur.execute("SELECT MIN(id), MAX(id) FROM tramites_tramite WHERE id > %s", [antes])
                primero, ultimo = cur.fetchone()
                if historial:
                    self._historial_sql(cur, primero, ultimo)
                cur.execute("ANALYZE tramites_tramite")
        return primero, ultimo

    def _historial_sql(self, cur, primero: int, ultimo: int) -> None:
        # Column names come from the models' _meta and every value is a parameter (bandit B608).
        extra, valores = self._columnas(
            HistorialEstado, ["tramite_id", "estado_anterior", "estado_nuevo", "actor", "nota", "creado_en"]
        )
        extra_sql = "".join(f", {c}" for c in extra)
        marcas = "".join(", %s" for _ in valores)
        cur.execute(
            f"""INSERT INTO tramites_historialestado
                (tramite_id, estado_anterior, estado_nuevo, actor, nota, creado_en{extra_sql})
                SELECT id, '', 'INGRESADO', 'ciudadano', '', creado_en{marcas}
                FROM tramites_tramite WHERE id BETWEEN %s AND %s""",  # nosec B608
            [*valores, primero, ultimo],
        )
        cur.execute(
            f"""INSERT INTO tramites_historialestado
                (tramite_id, estado_anterior, estado_nuevo, actor, nota, creado_en{extra_sql})
                SELECT id, 'INGRESADO', estado, 'sistema', '', COALESCE(enrutado_en, creado_en){marcas}
                FROM tramites_tramite WHERE id BETWEEN %s AND %s AND estado <> 'INGRESADO'""",  # nosec B608
            [*valores, primero, ultimo],
        )

    def _bulk(self, filas, historial: bool) -> tuple[int, int]:
        primero = ultimo = None
        lote: list[Tramite] = []

        def guardar():
            nonlocal primero, ultimo
            creados = Tramite.objects.bulk_create(lote)
            if historial:
                HistorialEstado.objects.bulk_create(
                    [
                        HistorialEstado(
                            tramite_id=t.pk, estado_anterior="", estado_nuevo=Estado.INGRESADO,
                            actor="ciudadano", creado_en=t.creado_en,
                        )
                        for t in creados
                    ]
                )  # fmt: skip
            ids = [t.pk for t in creados if t.pk is not None]
            if ids:
                primero = min(ids) if primero is None else primero
                ultimo = max(ids)
            lote.clear()

        with transaction.atomic():
            for fila in filas:
                lote.append(Tramite(**fila))
                if len(lote) >= 2000:
                    guardar()
            if lote:
                guardar()
        return primero, ultimo

