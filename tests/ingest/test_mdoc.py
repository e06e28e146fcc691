"""Manual pages written with the mdoc macros: read as a man page, whose unknown macros are
dropped, scp(1) lost its name, every option and every section heading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from articleqa.config import Settings
from articleqa.ingest import read_file
from articleqa.ingest.mdoc import read_manual_page
from articleqa.ingest.prepare import prepare_article
from articleqa.models import RawArticle

SCP_PAGE = r""".\"
.\" $OpenBSD: scp.1,v 1.112 2022/12/16 07:13:22 djm Exp $
.Dd $Mdocdate: December 16 2022 $
.Dt SCP 1
.Os
.Sh NAME
.Nm scp
.Nd OpenSSH secure file copy
.Sh SYNOPSIS
.Nm scp
.Op Fl 346ABCOpqRrsTv
.Op Fl c Ar cipher
.Op Fl Fl help
.Ar source ... target
.Sh DESCRIPTION
.Nm
copies files between hosts on a network.
.Pp
.Nm
uses the SFTP protocol over a
.Xr ssh 1
connection for data transfer.
A remote host is given in the form
.Sm off
.Oo user @ Oc host : Op path ,
.Sm on
as defined in
.In sys/stat.h .
.Pp
The options are as follows:
.Bl -tag -width Ds
.It Fl c Ar cipher
Selects the cipher to use for encrypting the data transfer.
This option is directly passed to
.Xr ssh 1 .
.It Fl l Ar limit
Limits the used bandwidth, specified in Kbit/s.
.It Cm nrequests Ns = Ns Ar value
Controls how many requests may be in progress.
.It Fl o Ar ssh_option
For the options listed below, see
.Xr ssh_config 5 .
.Pp
.Bl -tag -width Ds -offset indent -compact
.It AddressFamily
.It BatchMode
.It BindAddress
.El
.El
.Sh EXIT STATUS
.Ex -std scp
.Sh AUTHORS
.An Timo Rinne Aq Mt tri@iki.fi
.An Tatu Ylonen Aq Mt ylo@cs.hut.fi
"""


def test_an_mdoc_page_keeps_its_name_options_and_sections() -> None:
    raw = read_manual_page(SCP_PAGE, "scp.1")
    paragraphs = prepare_article(raw).text.split("\n\n")

    assert raw.title == "SCP(1)"
    assert raw.published == dt.date(2022, 12, 16)
    assert "scp — OpenSSH secure file copy" in paragraphs
    assert "scp [-346ABCOpqRrsTv] [-c cipher] [--help] source ... target" in paragraphs
    assert "DESCRIPTION" in paragraphs and "EXIT STATUS" in paragraphs
    assert "scp copies files between hosts on a network." in paragraphs
    assert (
        "scp uses the SFTP protocol over a ssh(1) connection for data transfer. A remote host "
        "is given in the form [user@]host:[path], as defined in <sys/stat.h>."
    ) in paragraphs
    # A term on its own line, its definition under it; punctuation closes up to the word.
    assert (
        "-c cipher\nSelects the cipher to use for encrypting the data transfer. This option is "
        "directly passed to ssh(1)."
    ) in paragraphs
    assert "-l limit\nLimits the used bandwidth, specified in Kbit/s." in paragraphs
    assert "nrequests=value\nControls how many requests may be in progress." in paragraphs
    assert "AddressFamily\nBatchMode\nBindAddress" in paragraphs
    assert "The scp utility exits 0 on success, and >0 if an error occurs." in paragraphs
    assert "Timo Rinne <tri@iki.fi>\nTatu Ylonen <ylo@cs.hut.fi>" in paragraphs


def test_an_mdoc_page_is_read_as_such_from_its_file(tmp_path: Path) -> None:
    page = tmp_path / "scp.1"
    page.write_text(SCP_PAGE, encoding="utf-8")

    [(_, raw)] = list(read_file(page, Settings()))

    assert isinstance(raw, RawArticle)
    assert "-c cipher\nSelects the cipher" in raw.text


def test_a_page_of_man_macros_is_still_read_by_the_man_reader() -> None:
    raw = read_manual_page(".TH FROB 1 2024-01-02\n.SH NAME\nfrob \\- frobnicate\n", "frob.1")

    assert raw.title == "FROB(1)"
    assert raw.text.startswith("NAME")


# MirBSD's pax(1), cut down: a roff preamble for other formatters (strings set in conditions,
# .Dd renamed and wrapped to read $Mdocdate, a macro .Mx of its own), and its utility's name
# chosen by a register (".nr g 2", then ".ie \ng==1").
MIRBSD_PAGE = r""".nr g 2
.\" Copyright (c) 1992 Keith Muller.
.ie \n(.g \{\
.	if \*[.T]utf8 .tr \-\N'45'
.	ds aq \(aq
.\}
.el \{\
.	ds aq '
.\}
.rn Dd xD
.de Dd
.ie \\$1$Mdocdate: \{\
.	xD \\$2 \\$3, \\$4
.\}
.el .xD \\$1 \\$2 \\$3 \\$4 \\$5 \\$6 \\$7 \\$8
..
.Dd $Mdocdate: September 4 2020 $
.ie \n(.g \{\
.	ie d volume-ds-1 .ds tT gnu
.	el .ie d doc-volume-ds-1 .ds tT gnp
.	el .ds tT bsd
.\}
.el .ds tT ucb
.ie "\*(tT"gnu" \{\
.	de Mx
.	nr curr-font \n[.f]
.	ds str-Mx1 \*[Tn-font-size]\%MirBSD\*[str-Mx]
..
.\}
.ie \ng==1 \{\
.	ds nm mirpax
.	Dt MIRPAX 1
.\}
.el .ie \ng==2 \{\
.	ds nm pax
.	Dt PAX 1
.\}
.el \{\
.	ds nm pax
.	Dt PAX 1
.\}
.Os MirBSD
.Sh NAME
.ie \ng==1 \{\
.Nm mirpax
.\}
.el \{\
.Nm pax
.\}
.Nd read and write file archives
.Sh DESCRIPTION
.Nm \*(nm
will read, write, and list the members of an archive file.
.Sh HISTORY
A
.Nm
utility appeared in
.Bx 4.4 .
.Sh AUTHORS
.An -nosplit
.An Keith Muller
at the University of California, San Diego.
.Mx
extensions by
.An mirabilos Aq m@mirbsd.org .
"""


def test_a_page_that_wraps_mdoc_macros_for_other_formatters_is_read_as_mdoc() -> None:
    raw = read_manual_page(MIRBSD_PAGE, "pax.1")

    assert raw.title == "PAX(1)"
    assert raw.published == dt.date(2020, 9, 4)
    assert "pax — read and write file archives" in raw.text
    assert "pax will read, write, and list the members" in raw.text
    assert "A pax utility appeared in 4.4BSD." in raw.text
    assert "Keith Muller at the University of California, San Diego. MirBSD extensions by" in (
        " ".join(raw.text.split())
    )
    for leaked in ("mirpax", "volume-ds-1", "nosplit", ".ds", "curr-font"):
        assert leaked not in raw.text


def test_an_item_extended_over_lines_is_one_term() -> None:
    # dhcp6c.conf(5): ".It Xo" ... ".Xc" extends an item's tag over the lines between; read
    # line by line, the tag was "Xo" and its words ran into the definition, so "Which
    # algorithm is used for authentication?" highlighted "Xo algorithm authalgorithm; ...".
    page = read_manual_page(
        ".Dd June 1, 2020\n.Dt DHCP6C.CONF 5\n.Sh NAME\n.Nm dhcp6c.conf\n.Nd configuration\n"
        ".Sh AUTHENTICATION\n.Bl -tag -width Ds\n"
        ".It Xo\n.Ic algorithm Ar authalgorithm\n;\n.Xc\n"
        "specifies the algorithm for this authentication.\n"
        "Currently, the only available algorithm is HMAC-MD5.\n"
        ".It Ic protocol Ar authprotocol Xo\n;\n.Xc\nspecifies the protocol.\n"
        ".El\n",
        "dhcp6c.conf.5",
    )
    text = prepare_article(page).text

    assert "Xo" not in text
    assert "algorithm authalgorithm;\nspecifies the algorithm for this authentication." in text
    assert "protocol authprotocol;\nspecifies the protocol." in text


def test_a_reference_is_read_as_mandoc_sets_it() -> None:
    # dhcp6c(8), vis(3bsd): ".Rs" ... ".Re" blocks were dropped whole, and with them the RFC a
    # page is written to ("Which RFC does dhcp6c implement?").
    page = read_manual_page(
        ".Dd June 1, 2020\n.Dt DHCP6C 8\n.Sh NAME\n.Nm dhcp6c\n.Nd a DHCPv6 client\n"
        ".Sh SYNOPSIS\n.Fd #include <dhcp6.h>\n"
        ".Sh SEE ALSO\n.Xr dhcp6s 8\n"
        ".Rs\n.%A Ralph Droms, Editor\n.%D 2003\n"
        ".%T Dynamic Host Configuration Protocol for IPv6 (DHCPv6)\n.%R RFC 3315\n.Re\n"
        ".Sh HISTORY\nIt first appeared in KAME.\n.Pp\nSee also\n.%T http://www.kame.net/ .\n",
        "dhcp6c.8",
    )
    text = prepare_article(page).text

    assert "#include <dhcp6.h>" in text
    assert (
        "dhcp6s(8)\n\nRalph Droms, Editor, 2003, Dynamic Host Configuration Protocol for IPv6 "
        "(DHCPv6), RFC 3315."
    ) in text
    assert "See also http://www.kame.net/." in text
