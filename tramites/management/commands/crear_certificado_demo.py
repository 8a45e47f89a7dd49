"""Create the demo signing certificate (once) when no SIGNING_P12_PATH is configured, and show its paths."""

from django.core.management.base import BaseCommand

from ... import firma


class Command(BaseCommand):
    help = "Crea (una sola vez) el certificado de firma de demostración si SIGNING_P12_PATH está vacío."

    def handle(self, *args, **options):
        p12 = firma.ensure_demo_certificate()
        if not firma.uses_demo_certificate():
            self.stdout.write(f"Se usa el certificado configurado en SIGNING_P12_PATH: {p12}")
            return
        info = firma.signer_info()
        self.stdout.write(f"Certificado de firma (PKCS#12): {p12}")
        self.stdout.write(f"CA de demostración (PEM): {firma.demo_ca_path()}")
        self.stdout.write(f"Firmante: {info['subject_cn']} (válido hasta {info['valid_until']:%Y-%m-%d})")
        self.stdout.write(
            self.style.WARNING(
                "Certificado de DEMOSTRACIÓN: los documentos firmados con él no tienen validez legal."
            )
        )
