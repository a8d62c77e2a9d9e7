"""The demo's DNS zone as zone-file text: what a founder's DNS provider would show."""

from __future__ import annotations

from .layout import DOMAIN, Layout


def _txt(value: str) -> str:
    """TXT strings are at most 255 bytes each: split long values (DKIM keys)."""
    chunks = [value[i:i + 255] for i in range(0, len(value), 255)]
    return " ".join(f'"{c}"' for c in chunks)


def _saas_spf(layout: Layout) -> list[str]:
    """The SPF records of the SaaS tools the unhardened shop includes (a CRM, a help desk, a newsletter)."""
    return [
        'spf.crm.test. IN TXT "v=spf1 include:_s1.crm.test include:_s2.crm.test include:_s3.crm.test ~all"',
        *(f'_s{n}.crm.test. IN TXT "v=spf1 ip4:{layout.ip(40 + n)} -all"' for n in (1, 2, 3)),
        'spf.helpdesk.test. IN TXT "v=spf1 a:out.helpdesk.test mx:helpdesk.test include:_spf.desk-mail.test ~all"',
        f"out.helpdesk.test. IN A {layout.ip(44)}",
        "helpdesk.test. IN MX 10 mx.helpdesk.test.",
        f"mx.helpdesk.test. IN A {layout.ip(45)}",
        f'_spf.desk-mail.test. IN TXT "v=spf1 ip4:{layout.ip(46)} -all"',
        'spf.newsletter.test. IN TXT "v=spf1 include:spf.sendout.test -all"',
        f'spf.sendout.test. IN TXT "v=spf1 ip4:{layout.ip(47)}/31 -all"',
    ]


def zone_text(layout: Layout, *, hardened: bool, dkim_keys: dict[str, str],
              provider_keys: dict[str, str] | None = None) -> str:
    """``dkim_keys``: selector -> base64 public key (DER) of the shop's domain; ``provider_keys``: the same
    for the mail provider's own domain (mailer.test), which signs when the shop never set up its domain."""
    d = DOMAIN
    h = layout.hosts
    lines = [
        "$TTL 300",
        f"{d}. IN SOA ns1.{d}. hostmaster.{d}. 2026112901 3600 600 86400 300",
        f"{d}. IN NS ns1.{d}.",
        f"{d}. IN NS ns2.{d}.",
        f"ns1.{d}. IN A {layout.dns_address}",
        f"ns2.{d}. IN A {layout.dns_address}",
        f"{d}. IN A {h[d]}",
        f"www.{d}. IN A {h['www.' + d]}",
        f"app.{d}. IN A {h['app.' + d]}",
        f"api.{d}. IN A {h['api.' + d]}",
        f"mail.{d}. IN A {layout.smtp_address}",
        f"{d}. IN MX 10 mail.{d}.",
    ]
    for selector, key in dkim_keys.items():
        lines.append(f"{selector}._domainkey.{d}. IN TXT {_txt(f'v=DKIM1; k=rsa; p={key}')}")
    if hardened:
        lines += [
            f'{d}. IN TXT "v=spf1 ip4:{layout.smtp_address} include:_spf.mailer.test -all"',
            f'_dmarc.{d}. IN TXT "v=DMARC1; p=reject; pct=100; rua=mailto:dmarc@{d}; adkim=s; aspf=s"',
            f'{d}. IN CAA 0 issue "letsencrypt.org"',
            f'{d}. IN CAA 0 iodef "mailto:security@{d}"',
        ]
    else:
        lines += [
            # defects: soft-fail SPF, monitoring-only DMARC without reports, no CAA,
            # a stale A record for www, a forgotten staging host and a dangling CNAME
            # SPF: every tool the founder signed up for added an include: 11 lookups, one over the limit
            f'{d}. IN TXT "v=spf1 ip4:{layout.smtp_address} include:_spf.mailer.test include:spf.crm.test '
            f'include:spf.helpdesk.test include:spf.newsletter.test ~all"',
            f'_dmarc.{d}. IN TXT "v=DMARC1; p=none"',
            f"www.{d}. IN A {layout.stale_ip}",
            f"staging.{d}. IN A {h['staging.' + d]}",
            f"legacy.{d}. IN CNAME brightbrew-old.herokuapp.test.",
        ]
    lines.append(f'_spf.mailer.test. IN TXT "v=spf1 ip4:{layout.mailer_address} -all"')
    lines.append('mailer.test. IN TXT "v=spf1 include:_spf.mailer.test -all"')
    lines.append(f"out.mailer.test. IN A {layout.mailer_address}")
    for selector, key in (provider_keys or {}).items():
        lines.append(f"{selector}._domainkey.mailer.test. IN TXT {_txt(f'v=DKIM1; k=rsa; p={key}')}")
    if not hardened:
        lines += _saas_spf(layout)
    lines.append(f'{d}. IN TXT "google-site-verification=demo-shop-verification-token"')
    return "\n".join(lines) + "\n"
