"""Job fields read from a posting as people write it: sections, skills, city, pay, French."""

from matcher.postings.extract import MAX_REQUIRED_SKILLS, extract_job_fields

__all__ = ["MAX_REQUIRED_SKILLS", "extract_job_fields"]
