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
