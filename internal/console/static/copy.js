// The console's one script, loaded (under the response's nonce) only by
// pages with values to copy: it adds a "Copy" button after each element
// with a data-copy attribute (the button's accessible label), which puts
// the element's text on the clipboard and says so in a live region.
// Without it the pages work the same: the values are selected and
// copied by hand.
(() => {
  'use strict';
  const me = document.currentScript;
  if (!me || !navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }
  const words = me.dataset;
  const status = document.createElement('p');
  status.id = 'copy-status';
  status.className = 'sr-only';
  status.setAttribute('role', 'status');
  document.body.appendChild(status);
  for (const el of document.querySelectorAll('[data-copy]')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy secondary';
    button.textContent = words.button;
    button.setAttribute('aria-label', el.dataset.copy);
    button.addEventListener('click', async () => {
      let said = words.copied;
      try {
        await navigator.clipboard.writeText(el.textContent.trim());
        button.textContent = words.copied;
        setTimeout(() => { button.textContent = words.button; }, 2000);
      } catch {
        said = words.failed;
      }
      status.textContent = '';
      setTimeout(() => { status.textContent = said + ' ' + el.dataset.copy; }, 50);
    });
    el.after(button);
  }
})();
