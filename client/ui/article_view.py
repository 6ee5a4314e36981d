"""Knowledge articles from the profile, shown safely: Markdown text that can load nothing.

What an article may do, and what happens to the rest (each part left out is
named in a warning with the article's id; the rest is shown):

* **Markdown** is read by Qt's own reader, GitHub dialect with raw HTML off
  (:data:`MARKDOWN`), so markup is never interpreted; Qt would show it as
  literal text. Text that still looks like an HTML tag (an element name such
  as ``<b>`` or ``<script>``, any tag with attributes, ``<!-- comments -->``)
  is left out, and the content between ``<script>``, ``<style>`` or another
  element that holds no text and its end tag in the same paragraph goes with
  it. Code spans and code blocks are shown as written, and placeholders like
  ``<username>`` stay. Escaped markup (``&lt;b&gt;``, a backslash before
  ``<``) reads the same as raw markup once parsed and is left out too: put
  markup in code to show it.
* **Images** are never shown: not remote, not local files, not ``data:``.
  They are taken out of the text; an image handler that draws nothing stands
  in for Qt's (which reads local files itself, whatever ``loadResource``
  says) from before the text is read; and the document's and the browser's
  ``loadResource`` return nothing for any URL. Nothing an article names is
  ever fetched or read.
* **Links** stay links only for ``https:`` addresses with a host; any other
  (``http:``, ``mailto:``, ``javascript:``, ``file:``, relative) is shown as
  plain text. A click emits :attr:`ArticleView.link_requested`; the app
  opens the browser, the widget never does.
* **Size**: at most :data:`MAX_BODY_BYTES` of the body are read (cut at the
  last line break before the limit), at most :data:`MAX_LINES` lines of at
  most :data:`MAX_LINE_CHARS` characters; paragraphs are cut at
  :data:`MAX_BLOCK_CHARS` characters, and tables to :data:`MAX_TABLE_CELLS`
  cells in all (rows that do not fit are left out). A notice above the text
  then says that the article is shown in part. Qt reads long lists and
  tables, and lays out paragraphs with many format changes, in quadratic
  time: within these limits 64 KiB of real article text takes about 0.15 s,
  and the worst made-up article (one table of 64 KiB) about two seconds.
* **Text** is UTF-8 (a BOM is dropped); bytes that are not are shown as
  U+FFFD. Bidi embedding, override and isolate characters (U+202A-U+202E,
  U+2066-U+2069) and C0 control characters other than tab and line breaks
  are removed: they can make text read differently from what it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from PySide6.QtCore import QObject, QRect, QRectF, QSize, QSizeF, Qt, QUrl, Signal, Slot
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QPainter,
    QPalette,
    QPyTextObject,
    QResizeEvent,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextTable,
)
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from client.core.profile import Article
from client.ui.texts import fill

logger = logging.getLogger(__name__)

# How Markdown is read: GitHub's dialect (tables, task lists, strikethrough), no raw HTML.
MARKDOWN = (
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub
    | QTextDocument.MarkdownFeature.MarkdownNoHTML
)
# The most of a body that is read (bytes of UTF-8); the rest is cut, with a notice.
MAX_BODY_BYTES = 64 * 1024
# The most lines read, and the longest line (characters); the rest is cut, with the notice.
MAX_LINES = 2000
MAX_LINE_CHARS = 4000
# The longest paragraph shown (characters); the rest of it is cut, with the same notice.
MAX_BLOCK_CHARS = 8000
# The most table cells shown in one article (Qt lays out each in about 0.1 ms).
MAX_TABLE_CELLS = 2000
# The only kind of link an article may offer.
LINK_SCHEME = "https"
# The widest the text runs, in average characters of its font (a comfortable line).
LINE_CHARS = 76
# How much larger than the interface the article text is.
TEXT_SCALE = 1.1

# Bidi embedding/override/isolate characters and C0 controls other than \t \n \r.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
# An HTML tag as CommonMark reads one (open tag with attributes, or end tag).
_ATTRIBUTE = r"""\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_TAG = re.compile(
    rf"<(?P<end>/)?(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attributes>(?:{_ATTRIBUTE})*)\s*/?>"
)
# Comments, declarations, processing instructions and CDATA (to the end of the paragraph
# when not closed in it).
_OTHER_MARKUP = re.compile(r"<!--.*?(?:-->|$)|<\?.*?(?:\?>|$)|<![A-Za-z\[].*?(?:>|$)", re.S)
_ELEMENTS = frozenset(
    "a abbr address area article aside audio b base bdi bdo big blink blockquote body br button "
    "canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div "
    "dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 "
    "head header hgroup hr html i iframe img input ins kbd label legend li link main map mark "
    "marquee math menu meta meter nav noembed noframes noscript object ol optgroup option output "
    "p param picture plaintext portal pre progress q rp rt ruby s samp script search section "
    "select slot small source span strike strong style sub summary sup svg table tbody td "
    "template textarea tfoot th thead time title tr track tt u ul var video wbr xmp".split()
)
# Elements whose content is not text to read: it goes with the tags.
_NOT_TEXT = frozenset(
    "script style template noscript noembed noframes svg math iframe object textarea title "
    "xmp plaintext".split()
)


def _shown(value: str, limit: int = 120) -> str:
    """An untrusted value for a log line: quoted, escaped, cut."""
    return repr(value[:limit] + ("…" if len(value) > limit else ""))


def article_text(body: bytes) -> tuple[str, bool]:
    """The body as Markdown text, and whether it was cut (bytes, lines or line length)."""
    cut = len(body) > MAX_BODY_BYTES
    if cut:
        body = body[:MAX_BODY_BYTES]
        line_end = body.rfind(b"\n")  # never inside a UTF-8 sequence
        if line_end > 0:
            body = body[:line_end]
    lines = _HIDDEN.sub("", body.decode("utf-8-sig", errors="replace")).split("\n")
    if len(lines) > MAX_LINES or any(len(line) > MAX_LINE_CHARS for line in lines):
        cut = True
        lines = [line[:MAX_LINE_CHARS] for line in lines[:MAX_LINES]]
    return "\n".join(lines), cut


def is_safe_link(url: QUrl) -> bool:
    """Whether an article's link may be opened: an ``https:`` address with a host."""
    return url.isValid() and url.scheme().lower() == LINK_SCHEME and bool(url.host())


class _NoImage(QPyTextObject):
    """Stands in for Qt's image handler, which reads local files itself: no size, no drawing."""

    def intrinsicSize(  # noqa: N802 (Qt's name)
        self,
        doc: QTextDocument,
        position: int,
        form: QTextFormat,
    ) -> QSizeF:
        """Images take no room."""
        return QSizeF(0, 0)

    def drawObject(  # noqa: N802 (Qt's name)
        self,
        painter: QPainter,
        rect: QRectF | QRect,
        doc: QTextDocument,
        position: int,
        form: QTextFormat,
    ) -> None:
        """Images are not drawn."""


class SealedDocument(QTextDocument):
    """A text document that loads no resource of any kind and draws no image."""

    def __init__(self, refused: Callable[[QUrl], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._refused = refused
        self.setUndoRedoEnabled(False)
        # A null page size: no layout until a view sets the width, so building an article
        # is many times faster. The image handler is in place before there is any text:
        # creating the layout lays out, and Qt's own handler would read image files.
        self.setPageSize(QSizeF(0, 0))
        self._no_image = _NoImage(self)
        self.documentLayout().registerHandler(
            QTextFormat.ObjectTypes.ImageObject.value, self._no_image
        )

    def loadResource(self, kind: int, name: QUrl | str) -> object:  # noqa: N802 (Qt's name)
        """Nothing (``None``): not from the network, not from a file, not from a ``data:`` URL."""
        self._refused(QUrl(name))
        return None


@dataclass
class _Findings:
    """What was left out of one article, for the log."""

    markup: set[str] = field(default_factory=set)
    images: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    cut_paragraphs: int = 0
    cut_tables: int = 0

    @property
    def cut(self) -> bool:
        """Whether any of the text was cut for size."""
        return bool(self.cut_paragraphs or self.cut_tables)


def _is_code(block: QTextBlock) -> bool:
    return block.blockFormat().hasProperty(QTextFormat.Property.BlockCodeLanguage)


def _markup_spans(text: str, code: list[bool]) -> list[tuple[int, int, str]]:
    """Where ``text`` (one paragraph) holds HTML markup outside code: (start, end, what)."""
    spans: list[tuple[int, int, str]] = []
    covered = [False] * (len(text) + 1)
    for found in _OTHER_MARKUP.finditer(text):
        if not any(code[found.start() : found.end()]):
            spans.append((found.start(), found.end(), found[0][:4]))
            covered[found.start() : found.end()] = [True] * (found.end() - found.start())
    until = 0  # the end of the last tag taken, with its content
    for tag in _TAG.finditer(text):
        name = tag["name"].lower()
        if (
            tag.start() < until
            or covered[tag.start()]
            or not (name in _ELEMENTS or tag["attributes"])
            or any(code[tag.start() : tag.end()])
        ):
            continue
        until = tag.end()
        if name in _NOT_TEXT and not tag["end"]:
            closing = re.compile(rf"</{re.escape(name)}\s*>", re.I).search(text, until)
            if closing is not None:
                until = closing.end()
        spans.append((tag.start(), until, f"<{tag['end'] or ''}{name}>"))
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with overlapping ones joined, last first (removing them keeps positions valid)."""
    joined: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if joined and begin <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((begin, end))
    return joined[::-1]


def _unlinked(form: QTextCharFormat) -> QTextCharFormat:
    """``form`` as plain text: no link, no link colour or underline."""
    form.setAnchor(False)
    form.setAnchorHref("")
    form.setAnchorNames([])
    form.clearForeground()
    form.setFontUnderline(False)
    return form


def _tables(frame: QTextFrame) -> Iterator[QTextTable]:
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            yield child
        yield from _tables(child)


def _cut_to_size(doc: QTextDocument, findings: _Findings) -> None:
    """Cut tables to :data:`MAX_TABLE_CELLS` and paragraphs to :data:`MAX_BLOCK_CHARS`.

    First, so that the later passes, and the layout, have little to do.
    """
    cells = MAX_TABLE_CELLS
    for table in list(_tables(doc.rootFrame())):
        rows, columns = table.rows(), table.columns()
        fit = min(rows, cells // max(columns, 1))
        cells -= fit * columns
        if fit < rows:
            table.removeRows(fit, rows - fit)  # all of them: the table goes
            findings.cut_tables += 1
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    block = doc.begin()
    while block.isValid():
        if block.length() - 1 > MAX_BLOCK_CHARS:
            cursor.setPosition(block.position() + MAX_BLOCK_CHARS)
            cursor.setPosition(
                block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor
            )
            cursor.removeSelectedText()
            findings.cut_paragraphs += 1
        block = block.next()
    cursor.endEditBlock()


def _make_safe(doc: QTextDocument, findings: _Findings) -> None:
    """Take out markup and images; unlink all but https links."""
    removals: list[tuple[int, int]] = []
    unlinks: list[tuple[int, int, QTextCharFormat]] = []
    block = doc.begin()
    while block.isValid():
        start, text = block.position(), block.text()
        code = [False] * len(text)
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            form = fragment.charFormat()
            begin, end = fragment.position(), fragment.position() + fragment.length()
            if form.fontFixedPitch():  # a code span
                code[begin - start : end - start] = [True] * fragment.length()
            if form.isImageFormat():
                findings.images.append(form.toImageFormat().name())
                removals.append((begin, end))
            elif form.isAnchor() and not is_safe_link(QUrl(form.anchorHref())):
                findings.links.append(form.anchorHref())
                unlinks.append((begin, end, _unlinked(form)))
            fragments += 1
        if not _is_code(block):
            for begin, end, what in _markup_spans(text, code):
                findings.markup.add(what)
                removals.append((start + begin, start + end))
        block = block.next()
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    for begin, end, form in unlinks:
        cursor.setPosition(begin)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(form)
    for begin, end in _merged(removals):
        cursor.setPosition(begin)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
    cursor.endEditBlock()


def _report(article_id: str, findings: _Findings) -> None:
    """One warning per kind of part left out, naming the article and the parts."""
    if findings.markup:
        logger.warning(
            "article %s: raw HTML left out: %s", article_id, ", ".join(sorted(findings.markup))
        )
    for url in dict.fromkeys(findings.images):
        logger.warning(
            "article %s: image %s left out (articles load nothing)", article_id, _shown(url)
        )
    for href in dict.fromkeys(findings.links):
        logger.warning(
            "article %s: link %s shown as text (only https: links open)", article_id, _shown(href)
        )
    if findings.cut_paragraphs:
        logger.warning(
            "article %s: %d paragraph(s) cut at %d characters",
            article_id,
            findings.cut_paragraphs,
            MAX_BLOCK_CHARS,
        )
    if findings.cut_tables:
        logger.warning(
            "article %s: %d table(s) cut, %d cells in all",
            article_id,
            findings.cut_tables,
            MAX_TABLE_CELLS,
        )


def _style(doc: QTextDocument, title: str, palette: QPalette) -> None:
    """Put the title on top (unless the text opens with its own) and give the text air."""
    em = QFontMetricsF(doc.defaultFont()).height()
    cursor = QTextCursor(doc)
    cursor.beginEditBlock()
    first = doc.begin()
    if title and first.blockFormat().headingLevel() != 1:
        cursor.insertBlock()
        cursor.movePosition(QTextCursor.MoveOperation.Start)
        heading = QTextBlockFormat()
        heading.setHeadingLevel(1)
        cursor.setBlockFormat(heading)
        words = QTextCharFormat()
        words.setFontWeight(QFont.Weight.Bold)
        words.setProperty(QTextFormat.Property.FontSizeAdjustment, 3)  # as Markdown's # heading
        cursor.setBlockCharFormat(words)
        cursor.insertText(title, words)
    for table in _tables(doc.rootFrame()):
        # WORKAROUND: after a code block Qt's Markdown reader opens each header cell with an
        # empty bold line and leaves the header's words plain, out of line (Qt 6.11).
        for column in range(table.columns()):
            cell = table.cellAt(0, column)
            empty = doc.findBlock(cell.firstPosition())
            if cell.lastPosition() > cell.firstPosition() and not empty.text():
                weight = QTextCharFormat()
                weight.setFontWeight(empty.charFormat().fontWeight())
                cursor.setPosition(cell.firstPosition())
                cursor.deleteChar()
                cursor.setPosition(
                    table.cellAt(0, column).lastPosition(), QTextCursor.MoveMode.KeepAnchor
                )
                cursor.mergeCharFormat(weight)
        frame = table.format()
        frame.setTopMargin(0.6 * em)
        frame.setCellPadding(0.35 * em)
        table.setFormat(frame)
    block = doc.begin()
    while block.isValid():
        form = block.blockFormat()
        following = block.next()
        level = form.headingLevel()
        if QTextCursor(block).currentTable() is not None:  # the cell's padding is enough
            form.setTopMargin(0)
            form.setBottomMargin(0)
        elif _is_code(block):
            form.setBackground(palette.color(QPalette.ColorRole.AlternateBase))
            form.setLeftMargin(0.5 * em)
            last = not (following.isValid() and _is_code(following))
            form.setBottomMargin(0.8 * em if last else 0)
            form.setTopMargin(0)
        elif level:
            form.setTopMargin(0 if block == doc.begin() else (1.3 if level < 3 else 1.0) * em)
            form.setBottomMargin(0.5 * em)
        else:
            form.setLineHeight(135, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            in_list = block.textList() is not None
            next_in_list = following.isValid() and following.textList() is not None
            form.setTopMargin(0)
            form.setBottomMargin(0.15 * em if in_list and next_in_list else 0.8 * em)
        cursor.setPosition(block.position())
        cursor.setBlockFormat(form)
        block = following
    cursor.endEditBlock()


class SealedTextBrowser(QTextBrowser):
    """A read-only text view that follows no link and loads nothing.

    Links are reported through ``anchorClicked`` only (``openLinks`` is off);
    every resource request is refused and logged once per URL.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleText")
        self.setAccessibleName(self.tr("Article"))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setAcceptDrops(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSearchPaths([])
        self.article_id = ""
        self._refused: set[str] = set()
        self.highlighted.connect(self._on_highlighted)
        self.setDocument(SealedDocument(self.refuse, self))

    def loadResource(self, kind: int, name: QUrl | str) -> object:  # noqa: N802 (Qt's name)
        """Nothing (``None``), for every URL; the document does not even ask (it refuses too)."""
        self.refuse(QUrl(name))
        return None

    def refuse(self, url: QUrl) -> None:
        """Note a refused resource: logged once per article and URL."""
        shown = url.toString()
        if shown not in self._refused:
            self._refused.add(shown)
            logger.warning("article %s: resource %s not loaded", self.article_id, _shown(shown))

    def show_markdown(self, article_id: str, title: str, text: str) -> bool:
        """Show ``text`` safely under ``title``; whether some of it was cut for size."""
        self.article_id = article_id
        self._refused.clear()
        doc = SealedDocument(self.refuse, self)
        font = QFont(self.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * TEXT_SCALE)
        else:
            font.setPixelSize(round(font.pixelSize() * TEXT_SCALE))
        doc.setDefaultFont(font)
        doc.setDocumentMargin(QFontMetricsF(font).height())
        doc.setMarkdown(text, MARKDOWN)
        findings = _Findings()
        _cut_to_size(doc, findings)
        _make_safe(doc, findings)
        _report(article_id, findings)
        _style(doc, title, self.palette())
        self.setDocument(doc)  # the one before, a child, is deleted
        self._fit_line_length()
        return findings.cut

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Keep lines at a readable length, centred, however wide the window is."""
        self._fit_line_length()
        super().resizeEvent(event)

    def _fit_line_length(self) -> None:
        doc = self.document()
        widest = QFontMetricsF(doc.defaultFont()).averageCharWidth() * LINE_CHARS
        side = max(doc.documentMargin(), (self.viewport().width() - widest) / 2)
        frame = doc.rootFrame().frameFormat()
        if abs(frame.leftMargin() - side) >= 1:
            frame.setLeftMargin(side)
            frame.setRightMargin(side)
            doc.rootFrame().setFrameFormat(frame)

    @Slot(QUrl)
    def _on_highlighted(self, url: QUrl) -> None:
        # Where a link leads, before it is clicked.
        self.viewport().setToolTip(url.toDisplayString() if url.isValid() else "")


class ArticleView(QWidget):
    """One article: its title and text, and a notice when it is shown in part or not at all.

    Signals:
        link_requested(QUrl): the user clicked an ``https:`` link (the app opens it).
    """

    link_requested = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("articleView")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.notice = QLabel()
        self.notice.setObjectName("articleNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.setProperty("role", "warning")
        self.notice.hide()
        self.text = SealedTextBrowser()
        self.text.anchorClicked.connect(self._on_text_anchor_clicked)
        column.addWidget(self.notice)
        column.addWidget(self.text, 1)
        self.article: Article | None = None

    def show_article(self, article: Article, body: bytes | None) -> None:
        """Show ``article`` with its ``body`` (Markdown bytes; ``None``: it could not be read)."""
        self.article = article
        if body is None:
            self._show(article, "", self.tr("This article can't be shown right now."))
            return
        text, cut = article_text(body)
        cut_parts = self.text.show_markdown(article.id, article.title, text)
        if cut:
            logger.warning(
                "article %s: cut to %d bytes, %d lines of %d characters",
                article.id,
                MAX_BODY_BYTES,
                MAX_LINES,
                MAX_LINE_CHARS,
            )
        notice = (
            self.tr("This article is too long to show in full: only its first part is shown.")
            if cut or cut_parts
            else ""
        )
        self._set_notice(notice)

    def show_loading(self, article: Article) -> None:
        """Show ``article``'s title while its text is on its way."""
        self.article = article
        self._show(article, self.tr("Opening the article…"), "")

    def clear(self) -> None:
        """Show nothing."""
        self.article = None
        self.text.show_markdown("", "", "")
        self._set_notice("")

    def _show(self, article: Article, words: str, notice: str) -> None:
        self.text.show_markdown(article.id, article.title, "")
        if words:  # in the empty paragraph under the title
            cursor = QTextCursor(self.text.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(words, QTextCharFormat())
        self._set_notice(notice)

    def _set_notice(self, notice: str) -> None:
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))

    @Slot(QUrl)
    def _on_text_anchor_clicked(self, url: QUrl) -> None:
        if is_safe_link(url):
            self.link_requested.emit(url)
        else:
            logger.warning(
                "article %s: link %s not opened (only https: links open)",
                self.article.id if self.article else "",
                _shown(url.toString()),
            )


# Reads an article's body and hands it to the callback on the GUI thread (``None``: unreadable).
BodyLoader = Callable[[Article, Callable[[bytes | None], None]], None]


class ArticleBrowser(QWidget):
    """The profile's articles: a list of titles, the user's language first, and the chosen one.

    Bodies come from ``load_body`` (e.g. the profile service reading the
    kept files on a worker); the widget knows no store. Until the list is
    given, and when it is empty, it says there are no articles yet.

    Signals:
        link_requested(QUrl): the user clicked an ``https:`` link (the app opens it).
    """

    link_requested = Signal(QUrl)

    def __init__(
        self, load_body: BodyLoader, *, language: str = "en", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("articleBrowser")
        self.setWindowTitle(self.tr("Help articles"))
        self._load_body = load_body
        self._language = language
        self._articles: dict[str, Article] = {}
        self.list = QListWidget()
        self.list.setObjectName("articleList")
        self.list.setAccessibleDescription(self.tr("The article chosen opens beside the list."))
        self.list.setAccessibleName(self.tr("Help articles"))
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setSpacing(3)
        self.view = ArticleView()
        self.view.link_requested.connect(self.link_requested)
        self.empty = QLabel(self.tr("No articles yet"))
        self.empty.setObjectName("articlesEmpty")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)  # the platform's calm, greyed text
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.list)
        split.addWidget(self.view)
        split.setStretchFactor(1, 1)
        split.setSizes([240, 660])
        # Why the articles may not be current (the profile's age, a refused update).
        self.stale = QLabel()
        self.stale.setObjectName("articlesStale")
        self.stale.setTextFormat(Qt.TextFormat.PlainText)
        self.stale.setWordWrap(True)
        self.stale.setProperty("role", "warning")
        self.stale.hide()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(split)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stale)
        column.addWidget(self.pages)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Room for the list and a comfortable column of text."""
        return QSize(900, 620)

    def set_articles(self, articles: Sequence[Article]) -> None:
        """Show these articles (profile order; the user's language first); keep the one open."""
        current = self.view.article.id if self.view.article is not None else ""
        ordered = [a for a in articles if a.language == self._language]
        ordered += [a for a in articles if a.language != self._language]
        self._articles = {a.id: a for a in ordered}
        self.list.blockSignals(True)
        self.list.clear()
        for article in ordered:
            item = QListWidgetItem(article.title)
            if article.language != self._language:
                language = self._language_name(article.language)
                #: An article's title and the language it is written in: "Set up MFA (English)".
                item.setText(fill(self.tr("%1 (%2)"), article.title, language))
                item.setToolTip(language)
            item.setData(Qt.ItemDataRole.UserRole, article.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.pages.setCurrentIndex(1 if ordered else 0)
        if not ordered:
            self.view.clear()
        elif not self.open_article(current):
            self.list.setCurrentRow(0)

    def _language_name(self, language: str) -> str:
        """The name of an article's language, in the user's (the profile offers en and nl)."""
        names = {"en": self.tr("English"), "nl": self.tr("Dutch")}
        return names.get(language, language)

    def set_notice(self, text: str) -> None:
        """Say why the articles may not be current (``""``: they are)."""
        self.stale.setText(text)
        self.stale.setVisible(bool(text))

    def open_article(self, article_id: str) -> bool:
        """Select and show the article ``article_id``; whether the list has it."""
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == article_id:
                if self.list.currentRow() == row:
                    self._open(self._articles[article_id])
                else:
                    self.list.setCurrentRow(row)
                return True
        return False

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_list_current_item_changed(
        self, current: QListWidgetItem | None, previous: QListWidgetItem | None
    ) -> None:
        if current is not None:
            self._open(self._articles[current.data(Qt.ItemDataRole.UserRole)])

    def _open(self, article: Article) -> None:
        self.view.show_loading(article)
        self._load_body(article, partial(self._body_arrived, article))

    def _body_arrived(self, article: Article, body: bytes | None) -> None:
        if self.view.article is article:  # not an answer for an article left meanwhile
            self.view.show_article(article, body)
