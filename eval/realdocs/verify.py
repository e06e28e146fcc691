#!/usr/bin/env python3
"""Check an articleqa evaluation set (standard library only; groff for .1 files).

Usage: python3 verify.py [SET_DIR]   (default: the folder of this script)

SET_DIR holds docs/, docs.json and questions.json.  Every answer string of an
answerable question must occur in its document (case-insensitive, whitespace
collapsed): HTML is checked against its visible text (tags stripped with
html.parser), a troff man page (.1) against its groff rendering, other formats
against the raw text.  Prints counts per format and per question kind.
"""
import collections, html.parser, json, os, re, subprocess, sys

class _Visible(html.parser.HTMLParser):
    BLOCK = {'p', 'br', 'div', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'pre',
             'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'ul', 'ol', 'dl'}
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0
    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'style', 'head'):
            self.skip += 1
        if tag in self.BLOCK:
            self.out.append('\n')
    def handle_endtag(self, tag):
        if tag in ('script', 'style', 'head') and self.skip:
            self.skip -= 1
        if tag in self.BLOCK:
            self.out.append('\n')
    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)

def visible_text(path):
    raw = open(path, encoding='utf-8', errors='replace').read()
    if path.endswith(('.html', '.htm')):
        p = _Visible(); p.feed(raw); p.close()
        return ''.join(p.out)
    if path.endswith('.1'):
        r = subprocess.run(['groff', '-Tutf8', '-man', '-P-c'], input=raw.encode(),
                           capture_output=True)
        text = r.stdout.decode('utf-8', 'replace')
        return re.sub(r'.\x08', '', text)
    if path.endswith('.md'):
        # What a reader sees: a code span's backticks are markup, not text.
        return re.sub(r'(`+)([^`]+?)\1', r'\2', raw)
    return raw

def norm(s):
    s = s.replace('\u2010', '-').replace('\u2011', '-')
    return re.sub(r'\s+', ' ', s).strip().lower()

def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    docs = json.load(open(os.path.join(root, 'docs.json')))
    qs = json.load(open(os.path.join(root, 'questions.json')))
    bad = 0
    names = {d['file'] for d in docs}
    ondisk = set(os.listdir(os.path.join(root, 'docs')))
    if names != ondisk:
        print('manifest/docs mismatch:', sorted(names ^ ondisk)); bad += 1
    groups = collections.Counter(d['group'] for d in docs)
    for g, n in groups.items():
        if n < 2:
            print('group with fewer than 2 documents:', g); bad += 1
    texts = {}
    for d in docs:
        p = os.path.join(root, 'docs', d['file'])
        size = os.path.getsize(p)
        if not 1000 <= size <= 61440:
            print('size out of range (1-60 KB):', d['file'], size); bad += 1
        texts[d['file']] = norm(visible_text(p))
    per_doc = collections.Counter()
    kinds = collections.Counter()
    for q in qs:
        if q['doc'] is None:
            kinds[q.get('kind', '?')] += 1
            if q['answers']:
                print('unanswerable question with answers:', q['question']); bad += 1
            continue
        kinds['answerable'] += 1
        per_doc[q['doc']] += 1
        if q['doc'] not in texts:
            print('unknown doc:', q['doc']); bad += 1; continue
        for a in q['answers']:
            if norm(a) not in texts[q['doc']]:
                print('MISSING answer %r in %s  (%s)' % (a, q['doc'], q['question'])); bad += 1
            if len(a.split()) > 8:
                print('answer longer than 8 words:', a); bad += 1
    for d in docs:
        if per_doc[d['file']] < 3:
            print('fewer than 3 questions:', d['file'], per_doc[d['file']]); bad += 1
    fmt = collections.Counter(d['format'] for d in docs)
    print('documents: %d  per format: %s' % (len(docs), dict(sorted(fmt.items()))))
    print('groups: %s' % dict(sorted(groups.items())))
    print('questions: answerable=%d near=%d off=%d' % (kinds['answerable'], kinds['near'], kinds['off']))
    print('problems: %d' % bad)
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
