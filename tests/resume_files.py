"""Real PDF and DOCX resume files for tests: a PDF with a text layer, a DOCX from python-docx."""

from __future__ import annotations

import io

PDF_RESUME_LINES = [
    "Amara Okafor",
    "Skills",
    "Python (6 yrs), SQL - 4 years, Docker",
    "Experience",
    "Senior Data Engineer, Shopify - Jan 2020 - Present",
    "Built pipelines with Apache Airflow and PostgreSQL",
    "Education",
    "Master of Science in Computer Science, University of Toronto",
]

DOCX_RESUME_LINES = [
    "Lucas Tremblay",
    "Work history",
    "Backend Developer at Ubisoft, 2016-2019",
    "Developed game services in Java and Kubernetes.",
    "Software Engineer, Coveo, since 2021",
    "Go microservices and Terraform.",
    "Education",
    "Baccalauréat en génie logiciel, Université Laval",
]


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (drawn by matplotlib, fonts embedded)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        figure = plt.figure(figsize=(8.5, 11))
        for number, line in enumerate(lines):
            figure.text(0.08, 0.95 - 0.035 * number, line, fontsize=11)
        pdf.savefig(figure)
        plt.close(figure)
    return buffer.getvalue()


def docx_bytes(lines: list[str]) -> bytes:
    """A DOCX with one paragraph per line, made by python-docx."""
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes(lines: list[str]) -> bytes:
    """The PDF of `lines`, password-protected with pypdf."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes(lines))))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf_bytes() -> bytes:
    """A valid PDF with one empty page: no text layer at all."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
