"""The demo's world: roles and their skills, seniority, salaries, cities, names and employers.

Every skill is a canonical display name from the skill vocabulary (`matcher.skills`), so the
demo rows import without any normalisation surprises.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleProfile:
    """A real tech role: the skills its people have and its jobs ask for, and its pay."""

    key: str
    title: str
    core_skills: tuple[str, ...]
    common_skills: tuple[str, ...]
    related_roles: tuple[str, ...]
    base_salary_cad: int
    mission: str


ROLES: tuple[RoleProfile, ...] = (
    RoleProfile(
        key="backend",
        title="Backend Developer",
        core_skills=("Python", "Java", "Go", "PostgreSQL", "Docker"),
        common_skills=(
            "Django",
            "Spring Boot",
            "Redis",
            "Apache Kafka",
            "Amazon Web Services",
            "Kubernetes",
            "GraphQL",
        ),
        related_roles=("full_stack", "devops"),
        base_salary_cad=112_000,
        mission="design and run the services and APIs behind our product",
    ),
    RoleProfile(
        key="frontend",
        title="Frontend Developer",
        core_skills=("JavaScript", "TypeScript", "React", "HTML", "CSS"),
        common_skills=("Next.js", "Vue.js", "Angular", "Redux", "Jest", "Webpack", "GraphQL"),
        related_roles=("full_stack", "mobile"),
        base_salary_cad=102_000,
        mission="build fast, accessible web interfaces our customers love",
    ),
    RoleProfile(
        key="full_stack",
        title="Full-Stack Developer",
        core_skills=("JavaScript", "TypeScript", "React", "Node.js", "PostgreSQL"),
        common_skills=(
            "Python",
            "Django",
            "Next.js",
            "Docker",
            "Amazon Web Services",
            "GraphQL",
            "CSS",
        ),
        related_roles=("backend", "frontend"),
        base_salary_cad=106_000,
        mission="ship features end to end, from the database to the browser",
    ),
    RoleProfile(
        key="data",
        title="Data Engineer",
        core_skills=("Python", "SQL", "Apache Spark", "Apache Airflow", "dbt"),
        common_skills=(
            "Snowflake",
            "Apache Kafka",
            "Amazon Web Services",
            "Scala",
            "pandas",
            "Tableau",
            "PostgreSQL",
        ),
        related_roles=("ml", "backend"),
        base_salary_cad=108_000,
        mission="build reliable data pipelines and the warehouse the whole company relies on",
    ),
    RoleProfile(
        key="ml",
        title="Machine Learning Engineer",
        core_skills=("Python", "PyTorch", "scikit-learn", "pandas", "NumPy"),
        common_skills=(
            "TensorFlow",
            "Apache Spark",
            "SQL",
            "Docker",
            "Kubernetes",
            "Amazon Web Services",
            "MLflow",
        ),
        related_roles=("data",),
        base_salary_cad=128_000,
        mission="train, evaluate and deploy the models at the heart of our product",
    ),
    RoleProfile(
        key="devops",
        title="DevOps / Site Reliability Engineer",
        core_skills=("Kubernetes", "Docker", "Terraform", "Amazon Web Services", "Linux"),
        common_skills=(
            "Prometheus",
            "Grafana",
            "Ansible",
            "Go",
            "Python",
            "Bash",
            "Microsoft Azure",
        ),
        related_roles=("backend", "security"),
        base_salary_cad=118_000,
        mission="keep our platform fast, observable and always on",
    ),
    RoleProfile(
        key="mobile",
        title="Mobile Developer",
        core_skills=("Swift", "Kotlin", "iOS", "Android"),
        common_skills=("React Native", "Flutter", "Dart", "Firebase", "TypeScript", "GraphQL"),
        related_roles=("frontend",),
        base_salary_cad=106_000,
        mission="build the native apps our customers use every day",
    ),
    RoleProfile(
        key="security",
        title="Security Engineer",
        core_skills=("Application security", "Penetration testing", "OWASP", "Python", "Linux"),
        common_skills=(
            "Cloud security",
            "Identity and access management",
            "SIEM",
            "Splunk",
            "Burp Suite",
            "Amazon Web Services",
            "Threat modeling",
        ),
        related_roles=("devops",),
        base_salary_cad=120_000,
        mission="protect our customers' data and harden our cloud platform",
    ),
    RoleProfile(
        key="qa",
        title="QA Automation Engineer",
        core_skills=("Selenium", "Test automation", "Python", "Cypress", "Java"),
        common_skills=("JavaScript", "Playwright", "Jest", "pytest", "JMeter", "SQL", "Git"),
        related_roles=("backend", "frontend"),
        base_salary_cad=88_000,
        mission="build the automated tests that let us release with confidence",
    ),
)
ROLE_KEYS: tuple[str, ...] = tuple(role.key for role in ROLES)
# Share of workers and of jobs in each role, in `ROLES` order.
ROLE_WEIGHTS: tuple[float, ...] = (0.20, 0.12, 0.15, 0.10, 0.08, 0.10, 0.08, 0.07, 0.10)

# Skills almost anyone in tech may list, whatever the role.
GENERAL_SKILLS: tuple[str, ...] = (
    "Git",
    "SQL",
    "Linux",
    "Docker",
    "Amazon Web Services",
    "Python",
    "Bash",
)

# Probability that a worker of a role lists each of its core, common and general skills.
CORE_SKILL_SHARE = 0.72
COMMON_SKILL_SHARE = 0.30
GENERAL_SKILL_SHARE = 0.12
# Probability that a worker also picked up a related role's core skills, and how many.
RELATED_ROLE_SHARE = 0.30
RELATED_SKILL_SHARE = 0.35


def all_demo_skills() -> tuple[str, ...]:
    """Every skill the demo uses, once, in a stable order (the columns of skill matrices)."""
    seen: dict[str, None] = {}
    for role in ROLES:
        for skill in (*role.core_skills, *role.common_skills):
            seen.setdefault(skill, None)
    for skill in GENERAL_SKILLS:
        seen.setdefault(skill, None)
    return tuple(seen)


@dataclass(frozen=True)
class Seniority:
    """A seniority level: its title prefix, the years its jobs ask for and its pay factor."""

    name: str
    title_prefix: str
    min_years: float
    salary_factor: float


SENIORITIES: tuple[Seniority, ...] = (
    Seniority("junior", "Junior", 0, 0.72),
    Seniority("intermediate", "", 2, 1.0),
    Seniority("senior", "Senior", 5, 1.28),
    Seniority("staff", "Staff", 8, 1.55),
)
JOB_SENIORITY_WEIGHTS: tuple[float, ...] = (0.15, 0.35, 0.38, 0.12)

CITY_SALARY_FACTOR: dict[str, float] = {"Toronto": 1.0, "Vancouver": 1.02, "Montreal": 0.88}
# Where jobs are, and which city workers put first.
JOB_CITY_WEIGHTS: dict[str, float] = {"Toronto": 0.45, "Vancouver": 0.30, "Montreal": 0.25}
FIRST_CHOICE_WEIGHTS: dict[str, float] = {"Toronto": 0.45, "Vancouver": 0.32, "Montreal": 0.23}
# How many cities a worker ranks: one, two or all three.
CITY_COUNT_WEIGHTS: tuple[float, ...] = (0.30, 0.40, 0.30)

REMOTE_WEIGHTS: dict[str, float] = {"onsite": 0.30, "hybrid": 0.50, "remote": 0.20}
WORKER_OPEN_TO_REMOTE_SHARE = 0.55
MATCH_EMAILS_SHARE = 0.60

# The H-1B stream made open work permits the largest group; spouses hold them too.
WORK_AUTHORIZATION_WEIGHTS: dict[str, float] = {
    "open_work_permit": 0.45,
    "needs_permit": 0.18,
    "employer_specific_permit": 0.05,
    "permanent_resident": 0.17,
    "citizen": 0.15,
}
# Days from the as-of date until the worker can start: (low, high) per work authorization.
AVAILABILITY_DAYS: dict[str, tuple[int, int]] = {
    "citizen": (-240, 0),
    "permanent_resident": (-240, 15),
    "open_work_permit": (-210, 60),
    "employer_specific_permit": (-150, 90),
    "needs_permit": (-60, 240),
}

EDUCATION_WEIGHTS: dict[str, float] = {
    "secondary": 0.02,
    "diploma": 0.08,
    "bachelor": 0.55,
    "master": 0.30,
    "phd": 0.05,
}

# NCLC French levels 0-12 by where French matters to the worker: Montreal first, Montreal
# listed later, or Montreal not listed. Weights for levels (0, 4, 5, 6, 7, 8, 9, 10).
FRENCH_LEVELS: tuple[int, ...] = (0, 4, 5, 6, 7, 8, 9, 10)
FRENCH_LEVEL_WEIGHTS: dict[str, tuple[float, ...]] = {
    "montreal_first": (0.15, 0.07, 0.08, 0.10, 0.18, 0.17, 0.15, 0.10),
    "montreal_listed": (0.50, 0.10, 0.10, 0.08, 0.08, 0.06, 0.05, 0.03),
    "no_montreal": (0.80, 0.07, 0.05, 0.03, 0.02, 0.01, 0.01, 0.01),
}
ENGLISH_LEVELS: tuple[int, ...] = (7, 8, 9, 10, 11, 12)
ENGLISH_LEVEL_WEIGHTS: tuple[float, ...] = (0.05, 0.12, 0.25, 0.30, 0.18, 0.10)

# French a job asks for (NCLC), by city: most Montreal jobs ask for some.
JOB_FRENCH_LEVELS: tuple[int, ...] = (0, 5, 7, 9)
JOB_FRENCH_WEIGHTS: dict[str, tuple[float, ...]] = {
    "Montreal": (0.30, 0.20, 0.38, 0.12),
    "Toronto": (0.94, 0.05, 0.01, 0.0),
    "Vancouver": (0.97, 0.03, 0.0, 0.0),
}

FIRST_NAMES: tuple[str, ...] = (
    "Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rahul", "Divya",
    "Wei", "Mei", "Jun", "Li", "Hao", "Xin", "Min-jun", "Seo-yeon", "Hiroshi", "Yuki",
    "Carlos", "Sofia", "Mateo", "Valentina", "Diego", "Camila", "Lucas", "Isabela",
    "Emily", "James", "Olivia", "Michael", "Sarah", "David", "Emma", "Daniel", "Hannah",
    "Chloé", "Mathieu", "Camille", "Antoine", "Élodie", "Julien", "Amina", "Omar", "Fatima",
    "Youssef", "Leila", "Tunde", "Chiamaka", "Kwame", "Ngozi", "Dmitri", "Olena", "Tomasz",
    "Agnieszka", "Nguyen", "Linh", "Ravi", "Meera",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Sharma", "Patel", "Reddy", "Iyer", "Gupta", "Singh", "Nair", "Rao", "Kumar", "Menon",
    "Wang", "Zhang", "Chen", "Liu", "Huang", "Kim", "Park", "Tanaka", "Sato", "Nguyen",
    "Garcia", "Rodriguez", "Martinez", "Silva", "Santos", "Lopez", "Smith", "Johnson",
    "Brown", "Williams", "Miller", "Davis", "Wilson", "Tremblay", "Gagnon", "Roy", "Côté",
    "Bouchard", "Gauthier", "Okafor", "Adeyemi", "Mensah", "Haddad", "Khan", "Ahmed",
    "Kowalski", "Nowak", "Ivanov", "Shevchenko", "Tran", "Pham", "Cohen", "Murphy", "O'Brien",
)  # fmt: skip

# Fictional Canadian employers: a place-flavoured word and a line of business.
EMPLOYER_PREFIXES: tuple[str, ...] = (
    "Maple", "Boreal", "Laurentian", "Cascadia", "Fundy", "Granite", "Aurora", "Lakeshore",
    "Prairie", "Muskoka", "Rideau", "Tundra", "Harbourfront", "Northwind", "Kootenay",
    "Gaspé", "Algonquin", "Coastline", "Saguenay", "Okanagan", "Beaver Creek", "Polaris",
    "Red River", "Twin Peaks", "Lionsgate", "Mont-Royal", "Bluenose", "Cabot", "Spruce",
    "True North",
)  # fmt: skip
EMPLOYER_SUFFIXES: tuple[str, ...] = (
    "Labs", "Technologies", "Analytics", "Financial", "Health", "Logistics", "Software",
    "Robotics", "Insurance", "Games", "Energy", "Commerce", "Mobility", "Systems", "AI",
)  # fmt: skip
