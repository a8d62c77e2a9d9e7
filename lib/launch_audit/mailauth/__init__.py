"""Email authentication engines (SPF evaluation, DMARC alignment of a real message), used by stage 2's checks."""
