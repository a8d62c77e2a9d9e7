"""The catalog: every check of spec/checks.md (catalog_rows.py, the data) bound to the function that runs it.

A check whose id has no implementation here is in the contract but not automated yet; the runner reports
nothing for it and the report lists it as not yet covered.
"""

from __future__ import annotations

from dataclasses import asdict

from ..catalog_rows import BY_ID, ROWS, STAGES
from .abuse_controls import (check_rate_limit_chat, check_rate_limit_login, check_rate_limit_reset,
                             check_user_enumeration)
from .api_auth import check_authn_required, check_bfla, check_bola, check_unauth_access
from .api_inventory import check_endpoint_inventory
from .attested import check_attested
from .base import Check
from .browser_trust import check_cors, check_csrf
from .caa import check_caa
from .cloudflare import check_cloudflare
from .debug_exposure import check_debug_exposure
from .dkim import check_dkim
from .dmarc import check_dmarc
from .dns_records import check_dns_records
from .email_auth_sample import check_email_auth_sample
from .env_separation import check_env_separation
from .error_tracking import check_error_tracking
from .exposed_files import check_exposed_files
from .frontend import check_frontend_internal_urls, check_frontend_secrets, check_source_maps, check_test_keys_in_prod
from .handover_checks import check_alert_contacts, check_dns_map, check_env_inventory, check_runbooks
from .health_endpoint import check_health_endpoint
from .hsts import check_hsts
from .https_redirect import check_https_redirect
from .input_validation import check_input_validation
from .log_hygiene import check_log_hygiene
from .mixed_content import check_mixed_content
from .monitoring import check_availability, check_error_rate, check_latency_p95
from .mx import check_mx
from .redirects import check_redirect_chain, check_www_canonical
from .redteam import (check_cost_abuse, check_cross_customer_leak, check_human_escalation, check_injection_via_content,
                      check_output_handling, check_prompt_leak_quick, check_system_prompt_leak,
                      check_unauthorized_tools)
from .repo_secrets import (check_env_file_committed, check_secrets_in_ci_logs, check_secrets_in_history,
                           check_secrets_in_repo)
from .security_headers import check_security_headers
from .spf import check_spf
from .subdomains import check_subdomain_inventory
from .tls_certificate import check_tls_certificate
from .tls_protocols import check_tls_protocols
from .webhooks import check_webhook_signature

# the function that runs each check (several share one: attested checks, the red team's probe runner)
IMPLEMENTATIONS = {
    "S1.endpoint_inventory": check_endpoint_inventory,
    "S1.unauth_access": check_unauth_access,
    "S1.secrets_in_repo": check_secrets_in_repo,
    "S1.secrets_in_history": check_secrets_in_history,
    "S1.secrets_in_ci_logs": check_secrets_in_ci_logs,
    "S1.env_file_committed": check_env_file_committed,
    "S1.exposed_files": check_exposed_files,
    "S1.subdomain_inventory": check_subdomain_inventory,
    "S1.prompt_leak_quick": check_prompt_leak_quick,
    "S1.log_hygiene": check_log_hygiene,
    "S2.dns_records": check_dns_records,
    "S2.https_redirect": check_https_redirect,
    "S2.www_canonical": check_www_canonical,
    "S2.redirect_chain": check_redirect_chain,
    "S2.tls_certificate": check_tls_certificate,
    "S2.tls_protocols": check_tls_protocols,
    "S2.hsts": check_hsts,
    "S2.mixed_content": check_mixed_content,
    "S2.cloudflare": check_cloudflare,
    "S2.caa": check_caa,
    "S2.spf": check_spf,
    "S2.dkim": check_dkim,
    "S2.dmarc": check_dmarc,
    "S2.mx": check_mx,
    "S2.email_auth_sample": check_email_auth_sample,
    "S3.frontend_secrets": check_frontend_secrets,
    "S3.frontend_internal_urls": check_frontend_internal_urls,
    "S3.source_maps": check_source_maps,
    "S3.test_keys_in_prod": check_test_keys_in_prod,
    "S3.env_separation": check_env_separation,
    "S3.debug_exposure": check_debug_exposure,
    "S3.security_headers": check_security_headers,
    "S3.rollback_path": check_attested,
    "S3.least_privilege": check_attested,
    "S4.authn_required": check_authn_required,
    "S4.bola": check_bola,
    "S4.bfla": check_bfla,
    "S4.input_validation": check_input_validation,
    "S4.rate_limit_login": check_rate_limit_login,
    "S4.rate_limit_chat": check_rate_limit_chat,
    "S4.rate_limit_reset": check_rate_limit_reset,
    "S4.webhook_signature": check_webhook_signature,
    "S4.cors": check_cors,
    "S4.csrf": check_csrf,
    "S4.user_enumeration": check_user_enumeration,
    "S5.system_prompt_leak": check_system_prompt_leak,
    "S5.cross_customer_leak": check_cross_customer_leak,
    "S5.unauthorized_tools": check_unauthorized_tools,
    "S5.injection_via_content": check_injection_via_content,
    "S5.output_handling": check_output_handling,
    "S5.cost_abuse": check_cost_abuse,
    "S5.human_escalation": check_human_escalation,
    "S6.health_endpoint": check_health_endpoint,
    "S6.availability": check_availability,
    "S6.latency_p95": check_latency_p95,
    "S6.error_rate": check_error_rate,
    "S6.error_tracking": check_error_tracking,
    "S6.alerting": check_attested,
    "S7.dns_map": check_dns_map,
    "S7.env_inventory": check_env_inventory,
    "S7.runbooks": check_runbooks,
    "S7.alert_contacts": check_alert_contacts,
}

# these drain the target's request buckets: they start when everything else of their stage is done
LAST_PHASE = {"S4.rate_limit_login", "S4.rate_limit_chat", "S4.rate_limit_reset"}

# what in the profile gives a check something to observe: said when a pass had nothing behind it
NEEDS = {
    "S1.unauth_access": "declare api.endpoints (or an OpenAPI document the API serves)",
    "S1.secrets_in_repo": "set repo.path", "S1.secrets_in_history": "set repo.path",
    "S1.env_file_committed": "set repo.path", "S1.secrets_in_ci_logs": "set repo.ci_logs",
    "S1.prompt_leak_quick": "declare chat.endpoint with a chat token",
    "S1.log_hygiene": "set logs.samples",
    "S2.email_auth_sample": "set email.samples",
    "S3.env_separation": "set repo.env_files (dev and prod)",
    "S4.authn_required": "declare api.endpoints with auth: user and api.users.a",
    "S4.bola": "declare api.users.a and api.users.b with the objects each owns",
    "S4.bfla": "declare admin endpoints (auth: admin) and api.users.a",
    "S4.input_validation": "declare api.endpoints with a body and side_effects none or own_data",
    "S4.webhook_signature": "declare a webhook endpoint with its signing scheme and secret",
    "S4.csrf": "declare a login endpoint and api.users.a", "S4.cors": "declare api.endpoints",
    "S4.user_enumeration": "declare login or password-reset endpoints",
    "S4.rate_limit_login": "declare a login endpoint", "S4.rate_limit_reset": "declare a password-reset endpoint",
    "S4.rate_limit_chat": "declare chat.endpoint with a chat token",
    **{f"S5.{name}": "declare chat.endpoint with a chat token" for name in (
        "system_prompt_leak", "cross_customer_leak", "unauthorized_tools", "injection_via_content",
        "output_handling", "cost_abuse", "human_escalation")},
    "S6.latency_p95": "declare chat.endpoint",
    "S7.env_inventory": "fill handover.env_vars", "S7.runbooks": "fill handover.runbooks",
    "S7.alert_contacts": "fill handover.alert_contacts",
}


def _build() -> dict[str, Check]:
    unknown = sorted(set(IMPLEMENTATIONS) - set(BY_ID))
    if unknown:
        raise ValueError(f"implementations for ids not in the catalog rows: {', '.join(unknown)}")
    return {row.id: Check(**asdict(row), run=IMPLEMENTATIONS.get(row.id), phase=1 if row.id in LAST_PHASE else 0,
                          needs=NEEDS.get(row.id, ""))
            for row in ROWS}


CATALOG: dict[str, Check] = _build()

__all__ = ["CATALOG", "STAGES", "get", "for_stage", "automated", "select"]


def get(check_id: str) -> Check:
    try:
        return CATALOG[check_id]
    except KeyError:
        raise KeyError(f"unknown check id {check_id!r}") from None


def for_stage(stage: int) -> list[Check]:
    return [c for c in CATALOG.values() if c.stage == stage]


def automated() -> list[Check]:
    return [c for c in CATALOG.values() if c.run is not None]


def select(tokens: list[str]) -> list[Check]:
    """The automated checks ``--only`` names: each token an id (``S2.spf``) or a prefix (``S5.``, ``S4.rate_limit``);
    in catalog order. ValueError names every token that matches no automated check."""
    runnable = automated()
    chosen: set[str] = set()
    unknown = []
    for token in (t.strip() for t in tokens):
        if not token:
            continue
        exact = [c.id for c in runnable if c.id.lower() == token.lower()]
        hits = exact or [c.id for c in runnable if c.id.lower().startswith(token.lower())]
        if not hits:
            listed = token in CATALOG and CATALOG[token].run is None
            unknown.append(f"{token} ({'listed but not automated' if listed else 'no such check id or prefix'})")
        chosen.update(hits)
    if unknown:
        raise ValueError(f"--only: {'; '.join(unknown)}; ids look like S2.spf, prefixes like S5.")
    return [c for c in runnable if c.id in chosen]
