"""The page's own CSS and script (served inline: nothing is fetched from elsewhere).

The script only handles clicks on links the app itself renders: a citation marker opens and
shows its source in the sources panel, “复制回答” copies an answer with its sources. Document
text never reaches it except as escaped text.
"""

CSS = """
.qf-msg { line-height: 1.7; }
.qf-answer { white-space: normal; }
.qf-meta { margin-top: .5em; font-size: .85em; color: var(--body-text-color-subdued); }
.qf-plain { display: none; }
.qf-cite { font-weight: 600; text-decoration: none; cursor: pointer; padding: 0 1px; }
.qf-refused { border-left: 4px solid #d97706; padding-left: .75em; }
.qf-refusal-head { font-weight: 700; color: #b45309; margin-bottom: .25em; }
.qf-related-links ul { margin: .3em 0 0 1.2em; padding: 0; }
.qf-error { color: #b91c1c; }
.qf-pending { color: var(--body-text-color-subdued); }
.qf-note { margin-top: .4em; color: #b45309; font-size: .92em; }
.qf-compare { width: 100%; border-collapse: collapse; margin-top: .6em; table-layout: fixed; }
.qf-compare th, .qf-compare td { border: 1px solid #d1d5db; padding: .4em .6em; vertical-align: top; text-align: left; }
.qf-compare-ref { font-weight: 600; margin-bottom: .3em; }
.qf-compare .qf-missing { color: #6b7280; }
.qf-sources-empty { color: var(--body-text-color-subdued); padding: .5em; }
.qf-turn { margin-bottom: 1em; }
.qf-turn-head { font-weight: 700; margin: .3em 0; }
.qf-src { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .4em .6em; margin: .35em 0; }
.qf-src > summary { cursor: pointer; }
.qf-src.qf-flash { outline: 3px solid #f59e0b; }
.qf-marker { font-weight: 700; }
.qf-where { font-size: .88em; color: var(--body-text-color-subdued); margin: .3em 0; }
.qf-text { white-space: pre-wrap; line-height: 1.7; }
.qf-table { border-collapse: collapse; margin: .4em 0; font-size: .92em; }
.qf-table caption { text-align: left; font-weight: 600; padding-bottom: .2em; }
.qf-table th, .qf-table td { border: 1px solid var(--border-color-primary); padding: .2em .5em; }
.qf-table th { background: var(--background-fill-secondary); }
.qf-cited-row td { background: var(--color-accent-soft); }
.qf-text mark { background: #fde68a; color: inherit; padding: 0 1px; }
.qf-flagged { color: #b91c1c; }
.qf-flagged s { color: #6b7280; }
.qf-badge { display: inline-block; font-size: .78em; border-radius: 4px; padding: 0 .4em; margin: 0 .2em; color: #fff; }
.qf-current { background: #15803d; }
.qf-revised { background: #b45309; }
.qf-repealed, .qf-other { background: #6b7280; }
.qf-earlier { margin-top: .4em; font-size: .92em; }
.qf-earlier-head { color: var(--body-text-color-subdued); }
.qf-refused-note { color: #b45309; margin: .3em 0; }
.qf-related-note { color: #6b7280; margin: .8em 0 .3em; font-size: .9em; border-top: 1px dashed #d1d5db; padding-top: .4em; }
#qf-sources { max-height: 75vh; overflow-y: auto; }
#qf-sources, .qf-msg, .qf-faq-list, .qf-browse, .qf-paper { overflow-wrap: anywhere; }
#qf-like, #qf-dislike { border: 1px solid #9ca3af; border-radius: 6px; background: #fff; font-weight: 600; }
#qf-like:hover, #qf-dislike:hover { background: #f3f4f6; }
#qf-like img, #qf-dislike img { width: 1.1em; height: 1.1em; }
/* 常见问题: a readable list, grouped by document and chapter */
.qf-faq-count { color: var(--body-text-color-subdued); margin-bottom: .5em; }
.qf-faq-doc { margin: 1.2em 0 .4em; }
.qf-faq-chapter { margin: .9em 0 .3em; color: var(--body-text-color-subdued); }
.qf-faq-entry { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .6em .9em; margin: .5em 0; }
.qf-faq-q { font-weight: 700; margin: 0 0 .35em; }
.qf-faq-a { white-space: pre-wrap; line-height: 1.7; }
.qf-faq-src { font-size: .88em; color: var(--body-text-color-subdued); margin: .4em 0 0; }
/* 条文浏览: the document as it is written */
.qf-browse-head { margin-bottom: .6em; }
.qf-browse-heading { font-weight: 700; margin: 1em 0 .3em; }
.qf-browse-heading.qf-level-0 { font-size: 1.1em; }
.qf-unit { display: grid; grid-template-columns: 9em 1fr; gap: .8em; padding: .45em 0; border-bottom: 1px solid var(--border-color-primary); }
.qf-unit-label { font-weight: 600; color: var(--body-text-color-subdued); }
.qf-unit-text { white-space: pre-wrap; line-height: 1.7; }
/* 出题: the preview laid out as a paper, the key apart */
.qf-paper { max-width: 60em; }
.qf-quiz-section { margin: 1.2em 0 .5em; }
.qf-quiz-item { margin: 0 0 1.1em; line-height: 1.8; }
.qf-quiz-stem { font-weight: 500; }
.qf-quiz-option { padding-left: 2em; }
#qf-quiz-keys { margin-top: 1.5em; border-top: 2px solid var(--border-color-primary); padding-top: .6em; }
#qf-quiz-keys > summary { cursor: pointer; font-weight: 700; font-size: 1.1em; }
.qf-quiz-key { margin: .6em 0; line-height: 1.7; }
.qf-quiz-source { font-size: .88em; color: var(--body-text-color-subdued); }
"""

HEAD = """<script>
(function () {
  function openSource(id) {
    var el = document.getElementById(id);
    if (!el) { return; }
    for (var d = el; d; d = d.parentElement) { if (d.tagName === 'DETAILS') { d.open = true; } }
    el.scrollIntoView({block: 'center'});
    el.classList.add('qf-flash');
    setTimeout(function () { el.classList.remove('qf-flash'); }, 2500);
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    var area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }
  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!target || !target.closest) { return; }
    var cite = target.closest('a.qf-cite');
    if (cite) {
      event.preventDefault(); event.stopPropagation();
      openSource((cite.getAttribute('href') || '').replace(/^#/, ''));
      return;
    }
    var copy = target.closest('a.qf-copy');
    if (copy) {
      event.preventDefault(); event.stopPropagation();
      var box = copy.closest('.qf-msg');
      var plain = box ? box.querySelector('.qf-plain') : null;
      copyText(plain ? plain.textContent : '').then(function () {
        copy.textContent = '已复制';
        setTimeout(function () { copy.textContent = '复制回答'; }, 2000);
      });
    }
  }, true);
})();
</script>"""
