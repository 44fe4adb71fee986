"""The OpenAPI 3.0 document of the JSON API, served at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from matcher.constants import (
    CITIES,
    DECISION_STAGES,
    JOB_STATUSES,
    LANGUAGE_LEVEL_RANGE,
    REMOTE_POLICIES,
    WORK_AUTHORIZATIONS,
)
from matcher.fit import BAND_KEYS
from matcher.hiring.bulk import BULK_STAGES, MAX_BULK_CANDIDATES
from matcher.hiring.contact_requests import MAX_MESSAGE_CHARS
from matcher.hiring.funnel import FUNNEL_STAGES
from matcher.hiring.stages import PIPELINE_STAGE_KEYS
from matcher.postings import MAX_REQUIRED_SKILLS
from matcher.records.jobs import MAX_SALARY_CAD

bp = Blueprint("openapi", __name__)

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "field": {"type": "string", "description": "The request field at fault (400 only)."},
    },
}
_NULLABLE_NUMBER = {"type": "number", "nullable": True}
_NULLABLE_INTEGER = {"type": "integer", "nullable": True}
_SKILLS = {"type": "array", "items": {"type": "string"}}
_EXPLANATION = {
    "type": "object",
    "description": "Why the pair fits, as plain facts about the worker and the job.",
    "required": ["matched_skills", "missing_skills", "city_preference_rank"],
    "properties": {
        "matched_skills": _SKILLS,
        "missing_skills": _SKILLS,
        "matched_nice_to_have_skills": _SKILLS,
        "city": {"type": "string", "enum": list(CITIES)},
        "city_preference_rank": {**_NULLABLE_INTEGER, "minimum": 1, "maximum": len(CITIES)},
        "remote": {"type": "string"},
        "open_to_remote": {"type": "boolean"},
        "remote_compatible": {"type": "boolean"},
        "years_experience": _NULLABLE_NUMBER,  # null: not stated
        "min_years_experience": _NULLABLE_NUMBER,
        "meets_min_experience": {"type": "boolean", "nullable": True},
        "french_level": _NULLABLE_INTEGER,
        "french_level_required": {"type": "integer"},
        "meets_french_requirement": {"type": "boolean", "nullable": True},
        "salary_expectation_cad": _NULLABLE_INTEGER,
        "salary_min_cad": _NULLABLE_INTEGER,
        "salary_max_cad": _NULLABLE_INTEGER,
        "salary_fit": {"type": "string", "enum": ["within", "below", "above", "unknown"]},
        "work_authorization": {"type": "string", "enum": list(WORK_AUTHORIZATIONS)},
        "available_from": {"type": "string", "format": "date", "nullable": True},
        "worker_interest": {
            "type": "string",
            "enum": ["interested", "not_for_me"],
            "description": "The worker's own answer on the job; present only when they answered"
            " and a learned model, which weighs it, serves the employer.",
        },
    },
}
_FIT = {
    "type": "object",
    "required": ["band", "percentile"],
    "description": "The band (rule: docs/FIT_BANDS.md) and the percentile among the job's"
    " eligible candidates; the same for the job's employer and the worker.",
    "properties": {
        "band": {"type": "string", "enum": list(BAND_KEYS)},
        "percentile": {"type": "integer", "minimum": 0, "maximum": 100},
    },
}
_PROBABILITY = {"type": "number", "minimum": 0, "maximum": 1}
_OUTLOOK = {
    "type": "object",
    "required": ["interviewed", "hired"],
    "description": "Only when a learned model serves: the calibrated probability that a"
    " candidate shown for this job reaches that stage or a later one (fitted on held-out jobs;"
    " the model card has its reliability table, Brier score and ECE).",
    "properties": {"interviewed": _PROBABILITY, "hired": _PROBABILITY},
}
_RANKED = {
    "rank": {"type": "integer", "minimum": 1},
    "score": {"type": "number"},
    "fit": _FIT,
    "outlook": _OUTLOOK,
}
_SOURCE = {
    "type": "string",
    "enum": ["batch", "live"],
    "description": "Whether the ranking came from the nightly batch or was computed live.",
}
_SHORTLIST = {
    "type": "object",
    "required": ["job", "model_version", "candidates"],
    "properties": {
        "job": {"type": "string"},
        "model_version": {"type": "string"},
        "total": {"type": "integer", "description": "Workers passing the filters."},
        "source": _SOURCE,
        "candidates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["worker", "rank", "score", "explanation"],
                "properties": {
                    "worker": {"type": "string"},
                    **_RANKED,
                    "explanation": {"$ref": "#/components/schemas/Explanation"},
                },
            },
        },
    },
}
_MATCHES = {
    "type": "object",
    "required": ["worker", "model_version", "jobs"],
    "properties": {
        "worker": {"type": "string"},
        "model_version": {"type": "string"},
        "source": _SOURCE,
        "jobs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["job", "rank", "score", "explanation"],
                "properties": {
                    "job": {"type": "string"},
                    **_RANKED,
                    "title": {"type": "string"},
                    "employer": {"type": "string"},
                    "explanation": {"$ref": "#/components/schemas/Explanation"},
                },
            },
        },
    },
}
_OUTCOME_REQUEST = {
    "type": "object",
    "required": ["job", "worker", "stage"],
    "properties": {
        "job": {"type": "string", "minLength": 1, "description": "The job's external id."},
        "worker": {"type": "string", "minLength": 1, "description": "The worker's external id."},
        "stage": {"type": "string", "enum": list(DECISION_STAGES)},
        "message": {
            "type": "string",
            "maxLength": MAX_MESSAGE_CHARS,
            "description": "Optional, with `contacted`: the short message emailed to the worker"
            " with the contact request (line breaks kept).",
        },
    },
}
_OUTCOME = {
    "type": "object",
    "required": ["job", "worker", "stage", "at", "recorded"],
    "properties": {
        "job": {"type": "string"},
        "worker": {"type": "string"},
        "stage": {"type": "string", "enum": list(DECISION_STAGES)},
        "at": {"type": "string", "format": "date-time"},
        "recorded": {
            "type": "boolean",
            "description": "False when nothing was added: the candidate is already at that stage.",
        },
    },
}
_NON_BLANK = {"type": "string", "minLength": 1, "pattern": r"\S"}
_BULK_REQUEST = {
    "type": "object",
    "required": ["stage", "workers"],
    "properties": {
        "stage": {"type": "string", "enum": list(BULK_STAGES)},
        "workers": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_BULK_CANDIDATES,
            "items": _NON_BLANK,
            "description": "Workers' external ids; blanks and repeats are ignored. An unknown"
            " or deleted worker answers 404 and nothing is recorded.",
        },
    },
}
_BULK_RESULT = {
    "type": "object",
    "required": ["job", "stage", "recorded", "results"],
    "properties": {
        "job": {"type": "string"},
        "stage": {"type": "string", "enum": list(BULK_STAGES)},
        "recorded": {"type": "integer", "minimum": 0, "description": "Events added."},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["worker", "result", "stage", "rule", "message"],
                "properties": {
                    "worker": {"type": "string"},
                    "result": {"type": "string", "enum": ["recorded", "unchanged", "refused"]},
                    "stage": {
                        "type": "string",
                        "enum": list(PIPELINE_STAGE_KEYS),
                        "description": "The candidate's stage afterwards.",
                    },
                    "rule": {
                        "type": "string",
                        "nullable": True,
                        "description": "The hiring rule that refused it (refused only).",
                    },
                    "message": {"type": "string", "nullable": True},
                },
            },
        },
    },
}

_SALARY = {
    "type": "integer",
    "minimum": 0,
    "maximum": MAX_SALARY_CAD,
    "nullable": True,
    "description": "CAD per year.",
}
_FRENCH_LEVEL = {
    "type": "integer",
    "minimum": LANGUAGE_LEVEL_RANGE[0],
    "maximum": LANGUAGE_LEVEL_RANGE[1],
    "nullable": True,
}
_SKILL_ITEM = {
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": _NON_BLANK,
                "years": {"type": "number", "minimum": 0, "nullable": True},
            },
        },
    ]
}
_JOB_SKILLS = {
    "type": "array",
    "nullable": True,
    "items": _SKILL_ITEM,
    "description": "Terms the skill vocabulary does not know are not stored (see the answer).",
}
_JOB_REQUEST = {
    "type": "object",
    "description": (
        "A job in the jobs contract (PRODUCT.md), for the token's employer: `employer` may be "
        "left out (or must be your own employer's name). Empty optional fields are read from "
        "`description`, as `import jobs` does; `salary_min_cad` must not exceed "
        "`salary_max_cad`. An external id of another employer's job answers 409."
    ),
    "required": ["external_id", "title", "city"],
    "additionalProperties": False,
    "properties": {
        "external_id": _NON_BLANK,
        "title": _NON_BLANK,
        "description": {"type": "string", "nullable": True, "maxLength": 100_000},
        "required_skills": _JOB_SKILLS,
        "nice_to_have_skills": _JOB_SKILLS,
        "city": {"type": "string", "enum": list(CITIES)},
        "remote": {"type": "string", "enum": [*REMOTE_POLICIES, None], "nullable": True},
        "min_years_experience": {"type": "number", "minimum": 0, "nullable": True},
        "salary_min_cad": _SALARY,
        "salary_max_cad": _SALARY,
        "french_level_required": _FRENCH_LEVEL,
        "status": {"type": "string", "enum": [*JOB_STATUSES, None], "nullable": True},
        "posted_at": {"type": "string", "format": "date", "nullable": True},
        "title_fr": {"type": "string", "nullable": True},
        "description_fr": {"type": "string", "nullable": True},
    },
}
_JOB_SAVED = {
    "type": "object",
    "required": ["job"],
    "properties": {
        "job": {"type": "string", "description": "The job's external id."},
        "unrecognised_skills": {**_SKILLS, "description": "Skill terms left out, unknown."},
    },
}
_EXTRACT_REQUEST = {
    "type": "object",
    "required": ["description"],
    "properties": {"description": {"type": "string", "minLength": 1, "maxLength": 100_000}},
}
_JOB_FIELDS = {
    "type": "object",
    "description": (
        "What the text states, with the jobs contract's names; null when it does not say. "
        f"At most {MAX_REQUIRED_SKILLS} required skills, the most emphasised; hourly pay "
        "annualised at 2080 hours; amounts in USD skipped; 'bilingual' or 'French required' "
        "is NCLC 7, French 'an asset' is 0."
    ),
    "required": [
        "title",
        "city",
        "remote",
        "min_years_experience",
        "salary_min_cad",
        "salary_max_cad",
        "french_level_required",
        "required_skills",
        "nice_to_have_skills",
    ],
    "properties": {
        "title": {"type": "string", "nullable": True},
        "city": {"type": "string", "enum": [*CITIES, None], "nullable": True},
        "remote": {"type": "string", "enum": [*REMOTE_POLICIES, None], "nullable": True},
        "min_years_experience": _NULLABLE_NUMBER,
        "salary_min_cad": _NULLABLE_INTEGER,
        "salary_max_cad": _NULLABLE_INTEGER,
        "french_level_required": _NULLABLE_INTEGER,
        "required_skills": _SKILLS,
        "nice_to_have_skills": _SKILLS,
    },
}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_PIPELINE = {
    "type": "object",
    "required": ["job", "stages", "candidates"],
    "properties": {
        "job": {"type": "string"},
        "stages": {
            "type": "object",
            "description": "How many candidates are in each stage now.",
            "required": list(PIPELINE_STAGE_KEYS),
            "properties": {key: {"type": "integer", "minimum": 0} for key in PIPELINE_STAGE_KEYS},
        },
        "candidates": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["worker", "stage", "since"],
                "properties": {
                    "worker": {"type": "string"},
                    "stage": {"type": "string", "enum": list(PIPELINE_STAGE_KEYS)},
                    "since": {"type": "string", "format": "date-time"},
                    "contact": {
                        **_NULLABLE_STRING,
                        "enum": ["pending", "accepted", "declined", None],
                    },
                },
            },
        },
    },
}
_RATE = {"type": "number", "nullable": True, "minimum": 0}
_REPORT = {
    "type": "object",
    "description": "The job's funnel, as `talentmatch report --json` prints it.",
    "required": ["job", "candidates", "stages", "closed", "conversions", "median_days_to_hire"],
    "properties": {
        "job": {"type": "string"},
        "candidates": {"type": "integer", "minimum": 0},
        "stages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["stage", "label", "reached", "current"],
                "properties": {
                    "stage": {"type": "string", "enum": list(FUNNEL_STAGES)},
                    "label": {"type": "string"},
                    "reached": {"type": "integer", "minimum": 0},
                    "current": {"type": "integer", "minimum": 0},
                },
            },
        },
        "closed": {
            "type": "object",
            "required": ["rejected", "withdrawn"],
            "properties": {
                "rejected": {"type": "integer", "minimum": 0},
                "withdrawn": {"type": "integer", "minimum": 0},
            },
        },
        "conversions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["from", "to", "rate", "median_days"],
                "properties": {
                    "from": {"type": "string", "enum": list(FUNNEL_STAGES)},
                    "to": {"type": "string", "enum": list(FUNNEL_STAGES)},
                    "rate": _RATE,
                    "median_days": {"type": "number", "nullable": True},
                },
            },
        },
        "median_days_to_hire": {"type": "number", "nullable": True},
    },
}
_EMPLOYER_REPORT = {
    **_REPORT,
    "description": "The funnel across all your jobs (a worker on two jobs counts on each).",
    "required": ["employer", "jobs", "open_jobs", *_REPORT["required"][1:]],
    "properties": {
        "employer": {"type": "string"},
        "jobs": {"type": "integer", "minimum": 0},
        "open_jobs": {"type": "integer", "minimum": 0},
        **{k: v for k, v in _REPORT["properties"].items() if k != "job"},
    },
}
_REFUSED = {
    "type": "object",
    "required": ["error", "rule", "message", "stage", "requested"],
    "properties": {
        "error": {"type": "string", "enum": ["transition_refused"]},
        "rule": {"type": "string", "description": "The hiring rule that refuses it."},
        "message": {"type": "string"},
        "stage": {"type": "string", "enum": list(PIPELINE_STAGE_KEYS)},
        "requested": {"type": "string"},
    },
}


def _schema_ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def _json(schema_name: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": _schema_ref(schema_name)}}},
    }


def _body(schema_name: str) -> dict:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": _schema_ref(schema_name)}}},
    }


_ERRORS = {
    "400": _json("Error", "A bad parameter or body; `field` names it."),
    "401": _json("Error", "No valid Bearer token."),
    "404": _json("Error", "No such job or worker, or not yours."),
}
_LIMIT = {
    "name": "limit",
    "in": "query",
    "required": False,
    "schema": {"type": "integer", "minimum": 1, "maximum": 500},
}
_EXTERNAL_ID = {"name": "external_id", "in": "path", "required": True, "schema": {"type": "string"}}

OPENAPI_DOCUMENT: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "talentmatch API",
        "version": "1",
        "description": "Ranked, explained shortlists for employers; outcome events for retraining.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearerToken": []}],
    "paths": {
        "/jobs/{external_id}/shortlist": {
            "get": {
                "operationId": "getShortlist",
                "summary": "Ranked candidates for one of your jobs.",
                "parameters": [
                    _EXTERNAL_ID,
                    {**_LIMIT, "description": "Default 50."},
                    {
                        "name": "stage",
                        "in": "query",
                        "required": False,
                        "description": "Only candidates now in this pipeline stage (repeat"
                        " for several); `new` is a candidate with no decision yet.",
                        "schema": {
                            "type": "array",
                            "items": {"type": "string", "enum": list(PIPELINE_STAGE_KEYS)},
                        },
                        "style": "form",
                        "explode": True,
                    },
                    {
                        "name": "hide_decided",
                        "in": "query",
                        "required": False,
                        "description": "Leave out hired, rejected and withdrawn candidates.",
                        "schema": {"type": "boolean", "default": False},
                    },
                ],
                "responses": {"200": _json("Shortlist", "The shortlist."), **_ERRORS},
            }
        },
        "/workers/{external_id}/matches": {
            "get": {
                "operationId": "getMatches",
                "summary": "A worker's best open jobs (that worker, or an operator).",
                "parameters": [_EXTERNAL_ID, {**_LIMIT, "description": "Default 10."}],
                "responses": {"200": _json("Matches", "The matches."), **_ERRORS},
            }
        },
        "/jobs": {
            "post": {
                "operationId": "createJob",
                "summary": "Create (201) or update (200) one of your jobs.",
                "requestBody": _body("JobRequest"),
                "responses": {
                    "201": _json("JobSaved", "The job was created."),
                    "200": _json("JobSaved", "Your existing job was updated (or unchanged)."),
                    **_ERRORS,
                    "409": _json("Error", "The external id belongs to another employer's job."),
                },
            }
        },
        "/jobs/extract": {
            "post": {
                "operationId": "extractJobFields",
                "summary": "The job fields a posting's text states (`talentmatch jobs extract`).",
                "requestBody": _body("ExtractRequest"),
                "responses": {"200": _json("JobFields", "The fields read."), **_ERRORS},
            }
        },
        "/outcomes": {
            "post": {
                "operationId": "createOutcome",
                "summary": "Record a decision about a candidate for one of your jobs.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/OutcomeRequest"}
                        }
                    },
                },
                "responses": {
                    "201": _json("Outcome", "The recorded event."),
                    "409": _json("TransitionRefused", "The hiring rules do not allow it yet."),
                    **_ERRORS,
                },
            }
        },
        "/jobs/{external_id}/decisions/bulk": {
            "post": {
                "operationId": "createBulkDecisions",
                "summary": "Shortlist, contact or reject several candidates of one of your jobs;"
                " each goes through the hiring rules and gets its own result.",
                "parameters": [_EXTERNAL_ID],
                "requestBody": _body("BulkDecisionRequest"),
                "responses": {
                    "200": _json("BulkDecisionResult", "Each candidate's result."),
                    **_ERRORS,
                },
            }
        },
        "/jobs/{external_id}/pipeline": {
            "get": {
                "operationId": "getPipeline",
                "summary": "Each candidate's current stage on one of your jobs.",
                "parameters": [_EXTERNAL_ID],
                "responses": {"200": _json("Pipeline", "The pipeline."), **_ERRORS},
            }
        },
        "/jobs/{external_id}/report": {
            "get": {
                "operationId": "getReport",
                "summary": "The hiring funnel of one of your jobs.",
                "parameters": [_EXTERNAL_ID],
                "responses": {"200": _json("Report", "The funnel."), **_ERRORS},
            }
        },
        "/report": {
            "get": {
                "operationId": "getEmployerReport",
                "summary": "The hiring funnel across all your jobs.",
                "responses": {"200": _json("EmployerReport", "The funnel."), **_ERRORS},
            }
        },
        "/jobs/{external_id}/shortlist.csv": {
            "get": {
                "operationId": "getShortlistCsv",
                "summary": "The shortlist as CSV: blind until contact is accepted, formula-safe.",
                "parameters": [_EXTERNAL_ID],
                "responses": {
                    "200": {
                        "description": "The shortlist (up to 500 candidates).",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    **_ERRORS,
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": _ERROR,
            "Explanation": _EXPLANATION,
            "Shortlist": _SHORTLIST,
            "Matches": _MATCHES,
            "OutcomeRequest": _OUTCOME_REQUEST,
            "Outcome": _OUTCOME,
            "JobRequest": _JOB_REQUEST,
            "JobSaved": _JOB_SAVED,
            "ExtractRequest": _EXTRACT_REQUEST,
            "JobFields": _JOB_FIELDS,
            "TransitionRefused": _REFUSED,
            "Pipeline": _PIPELINE,
            "BulkDecisionRequest": _BULK_REQUEST,
            "BulkDecisionResult": _BULK_RESULT,
            "Report": _REPORT,
            "EmployerReport": _EMPLOYER_REPORT,
        },
    },
}


@bp.get("/api/v1/openapi.json")
def openapi_document() -> Response:
    return jsonify(OPENAPI_DOCUMENT)
