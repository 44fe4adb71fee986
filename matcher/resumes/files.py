"""`resume_text_from_file`: the text of an uploaded PDF (pypdf) or DOCX (python-docx) resume.

Every way a file can be unusable raises `ResumeFileError` with a sentence a person can act
on: another type, too large, encrypted, corrupt, or with no text layer (a scanned image).
"""

from __future__ import annotations

import io
from pathlib import PurePath

from matcher.i18n import N_, LocalizedError

# A text resume is rarely above 1 MB; 5 MB leaves room for embedded fonts and a photo.
MAX_RESUME_BYTES = 5 * 1024 * 1024
MAX_PDF_PAGES = 30
ACCEPTED_EXTENSIONS = (".pdf", ".docx")


class ResumeFileError(LocalizedError, ValueError):
    """An uploaded resume file that cannot be read, with the reason in words (`localized`)."""


def resume_text_from_file(data: bytes, filename: str) -> str:
    """The text of a PDF or DOCX resume (chosen by extension), or `ResumeFileError`."""
    extension = PurePath(filename or "").suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise ResumeFileError(N_("upload a PDF or DOCX file (other file types are not read)"))
    if len(data) > MAX_RESUME_BYTES:
        limit = MAX_RESUME_BYTES // (1024 * 1024)
        raise ResumeFileError(
            N_("the file is larger than %(limit)s MB; upload a smaller one"), limit=limit
        )
    if not data:
        raise ResumeFileError(N_("the file is empty"))
    text = _pdf_text(data) if extension == ".pdf" else _docx_text(data)
    if not text.strip():
        raise ResumeFileError(
            N_("no text could be read from the file (a scanned image?); paste the text instead")
        )
    return text


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ResumeFileError(N_("the PDF is password-protected; upload an unprotected copy"))
        pages = reader.pages[:MAX_PDF_PAGES]
        return "\n".join(page.extract_text() or "" for page in pages)
    except ResumeFileError:
        raise
    except Exception:  # a malformed upload fails inside pypdf in many ways, PdfReadError or not
        raise ResumeFileError(N_("the PDF could not be read (corrupt or not a PDF)")) from None


def _docx_text(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # not a zip, a zip without the parts, broken XML: each its own type
        raise ResumeFileError(
            N_("the DOCX file could not be read (corrupt or not a DOCX)")
        ) from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("  ".join(cell.text for cell in row.cells))
    return "\n".join(lines)
