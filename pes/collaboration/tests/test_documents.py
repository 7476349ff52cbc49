from __future__ import annotations

import io
import shutil
import tempfile
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from pes.collaboration import files
from pes.collaboration.models import Document, DocumentVersion
from pes.collaboration.tests.factories import TableFactory, add_member
from pes.test import BaseTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MEDIA = tempfile.mkdtemp(prefix="pes-collab-test-")


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind in ("odt", "ods"):
            archive.writestr("mimetype", files.ALLOWED[kind])
            archive.writestr("content.xml", "<x/>")
        else:
            archive.writestr("[Content_Types].xml", "<x/>")
            archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@override_settings(MEDIA_ROOT=MEDIA)
class DocumentTests(BaseTestCase):
    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self):
        self.table = TableFactory.create(coordinator=self.member, visibility="members")
        add_member(self.table, self.member, self.org, "coordinator")
        self.url = f"/collaborazione/tavoli/{self.table.slug}/documenti/nuovo/"

    def test_a_member_uploads_a_pdf_sees_the_preview_and_adds_a_version(self):
        client = self.client_for(self.member)
        response = client.post(
            self.url, {"title": "Bozza di regolamento", "file": upload("bozza.pdf", PDF)}
        )
        document = Document.objects.get()
        self.assertRedirects(response, document.get_absolute_url())
        version = document.versions.get()
        self.assertTrue(version.file.name.startswith(f"collaboration/tables/{self.table.pk}/"))
        self.assertEqual(version.kind, "pdf")
        page = client.get(document.get_absolute_url())
        self.assertContains(page, 'type="application/pdf"')
        self.assertContains(page, "Download the PDF")
        inline = client.get(f"/collaborazione/documenti/{document.pk}/versioni/1/?anteprima=1")
        self.assertEqual(inline["Content-Type"], "application/pdf")
        self.assertNotIn("attachment", inline["Content-Disposition"])
        self.assertEqual(b"".join(inline.streaming_content), PDF)
        client.post(
            document.get_absolute_url(),
            {"file": upload("bozza-2.pdf", PDF), "note": "Articolo 3 riscritto"},
        )
        history = client.get(document.get_absolute_url())
        self.assertContains(history, "Articolo 3 riscritto")
        self.assertEqual(list(document.versions.values_list("number", flat=True)), [2, 1])

    def test_office_files_csv_and_images_are_accepted_by_their_content(self):
        client = self.client_for(self.member)
        cases = [
            ("a.odt", office("odt")),
            ("a.ods", office("ods")),
            ("a.docx", office("docx")),
            ("a.xlsx", office("xlsx")),
            ("a.csv", b"comune;alloggi\nBologna;12\n"),
            ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
            ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ]
        for name, content in cases:
            response = client.post(self.url, {"title": name, "file": upload(name, content)})
            self.assertEqual(response.status_code, 302, name)
        self.assertEqual(DocumentVersion.objects.count(), len(cases))

    def test_a_forbidden_type_or_a_disguised_file_is_refused_and_nothing_is_kept(self):
        client = self.client_for(self.member)
        for name, content in [
            ("virus.exe", b"MZ\x90\x00"),
            ("finto.pdf", b"MZ\x90\x00\x03"),
            ("testo.pdf", b"just text"),
            ("archivio.docx", office("odt")),
        ]:
            response = client.post(self.url, {"title": "x", "file": upload(name, content)})
            self.assertEqual(response.status_code, 422, name)
            self.assertContains(response, "not accepted", status_code=422)
        self.assertFalse(Document.objects.exists())

    def test_a_file_over_the_limit_is_refused(self):
        with self.settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None):
            original = files.MAX_UPLOAD_BYTES
            files.MAX_UPLOAD_BYTES = 1000
            try:
                response = self.client_for(self.member).post(
                    self.url, {"title": "Grande", "file": upload("g.pdf", PDF + b"0" * 2000)}
                )
            finally:
                files.MAX_UPLOAD_BYTES = original
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "too large", status_code=422)
        self.assertFalse(Document.objects.exists())

    def test_outsiders_neither_upload_nor_read_documents_of_a_members_only_table(self):
        self.client_for(self.member).post(
            self.url, {"title": "Riservato", "file": upload("r.pdf", PDF)}
        )
        document = Document.objects.get()
        self.assertEqual(self.client_for(self.outsider).get(self.url).status_code, 404)
        self.assertEqual(
            self.client_for(self.outsider).get(document.get_absolute_url()).status_code, 404
        )
        self.assertEqual(
            self.client_for(None)
            .get(f"/collaborazione/documenti/{document.pk}/versioni/1/")
            .status_code,
            404,
        )
