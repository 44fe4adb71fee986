"""Resumes as people write them: facts read from text, and text read from PDF and DOCX files."""

from matcher.resumes.facts import ResumeFacts, ResumeSkill
from matcher.resumes.parse import parse_resume

__all__ = ["ResumeFacts", "ResumeSkill", "parse_resume"]
