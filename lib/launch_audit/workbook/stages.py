"""The seven roadmap stages: their notebooks and the sections each notebook shows."""

from __future__ import annotations

from ..checks import catalog

NOTEBOOKS = {
    1: "01_quick_audit.ipynb", 2: "02_domain_email.ipynb", 3: "03_deployment.ipynb", 4: "04_api_controls.ipynb",
    5: "05_chatbot_red_team.ipynb", 6: "06_monitoring.ipynb", 7: "07_handover.ipynb",
}
REPORT_NOTEBOOK = "report.ipynb"
HANDOVER_NOTEBOOK = "handover_report.ipynb"

# stage -> section title -> check ids; every catalog id is in exactly one section (a test keeps it so)
SECTIONS: dict[int, dict[str, list[str]]] = {
    1: {
        "Endpoints": ["S1.endpoint_inventory", "S1.unauth_access"],
        "Secrets": ["S1.secrets_in_repo", "S1.secrets_in_history", "S1.secrets_in_ci_logs", "S1.env_file_committed"],
        "Exposed files and logs": ["S1.exposed_files", "S1.log_hygiene"],
        "Domains": ["S1.subdomain_inventory"],
        "Chatbot": ["S1.prompt_leak_quick"],
    },
    2: {
        "DNS": ["S2.dns_records", "S2.caa", "S2.cloudflare"],
        "Redirects": ["S2.https_redirect", "S2.www_canonical", "S2.redirect_chain"],
        "TLS and HSTS": ["S2.tls_certificate", "S2.tls_protocols", "S2.hsts", "S2.mixed_content"],
        "Email": ["S2.spf", "S2.dkim", "S2.dmarc", "S2.mx", "S2.email_auth_sample"],
    },
    3: {
        "Frontend": ["S3.frontend_secrets", "S3.frontend_internal_urls", "S3.source_maps", "S3.test_keys_in_prod"],
        "Environments": ["S3.env_separation", "S3.debug_exposure", "S3.security_headers"],
        "Operations": ["S3.rollback_path", "S3.least_privilege"],
    },
    4: {
        "Authentication and authorisation": ["S4.authn_required", "S4.bola", "S4.bfla"],
        "Input validation": ["S4.input_validation"],
        "Rate limits": ["S4.rate_limit_login", "S4.rate_limit_chat", "S4.rate_limit_reset", "S4.user_enumeration"],
        "Webhooks, CORS and CSRF": ["S4.webhook_signature", "S4.cors", "S4.csrf"],
    },
    5: {
        "Prompt and data leaks": ["S5.system_prompt_leak", "S5.cross_customer_leak"],
        "Tools and injection": ["S5.unauthorized_tools", "S5.injection_via_content", "S5.output_handling"],
        "Cost and escalation": ["S5.cost_abuse", "S5.human_escalation"],
    },
    6: {
        "Health and availability": ["S6.health_endpoint", "S6.availability", "S6.error_rate"],
        "Latency": ["S6.latency_p95"],
        "Error tracking and alerting": ["S6.error_tracking", "S6.alerting"],
    },
    7: {
        "Handover": ["S7.dns_map", "S7.env_inventory", "S7.runbooks", "S7.alert_contacts"],
    },
}


def stage_title(stage: int) -> str:
    return catalog.STAGES[stage]


def executed_name(stage: int) -> str:
    return NOTEBOOKS[stage]
