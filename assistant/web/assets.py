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
.qf-text mark { background: #fde68a; color: inherit; padding: 0 1px; }
.qf-badge { display: inline-block; font-size: .78em; border-radius: 4px; padding: 0 .4em; margin: 0 .2em; color: #fff; }
.qf-current { background: #15803d; }
.qf-revised { background: #b45309; }
.qf-repealed, .qf-other { background: #6b7280; }
.qf-earlier { margin-top: .4em; font-size: .92em; }
.qf-earlier-head { color: var(--body-text-color-subdued); }
.qf-refused-note { color: #b45309; margin: .3em 0; }
.qf-related-note { color: #6b7280; margin: .8em 0 .3em; font-size: .9em; border-top: 1px dashed #d1d5db; padding-top: .4em; }
#qf-sources { max-height: 75vh; overflow-y: auto; }
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
