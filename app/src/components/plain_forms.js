// The one script of the pages served without the browser app (sign-in,
// registration, recovery, invitations; see `components::plain_forms`).
// Their forms work as plain HTML posts; this posts them in the background
// instead, so that a refused form keeps what was typed:
// - the post is the one a browser makes without JavaScript (Accept: text/html),
//   so the server answers with the same redirects;
// - success (an address without `__err`) goes where the server sent it,
//   when that is a path on this site (else home);
// - a sign-in that needs its second step (`/login?step=code`) has that
//   page's <main> put in place of ours, so the code form appears in place;
// - a refusal (the form's address with `__err`) has its page's <main> put in
//   place of ours, with the typed values put back and focus on the first
//   field in error (or the form's error line, which is announced);
// - one post at a time per form; the pressed button says what it does
//   (`data-busy`) until the answer comes;
// - an answer that is not a redirect, or a network failure, falls back to
//   the plain post.
(() => {
  // Where a success answer may send the browser: a path on this site, the
  // rule of `model::url::is_local_path` (which the server applies to every
  // `next` before it answers); anything else (another origin, `//host`,
  // a backslash, a control character) goes home.
  const localPathOrHome = (answer) => {
    const path = answer.pathname + answer.search + answer.hash;
    const decoded = (() => { try { return decodeURIComponent(answer.pathname); } catch { return answer.pathname; } })();
    const odd = (text) => /[\\\s\u0000-\u001f\u007f]/.test(text) || text.includes('//') || !text.startsWith('/');
    const local = answer.origin === window.location.origin && !odd(answer.pathname) && !odd(decoded) && !/[\\\s]/.test(path);
    return local ? path : '/';
  };

  const typed = (form) => [...form.elements].filter((f) => f.name && f.type !== 'hidden' && f.type !== 'submit');

  const busy = (form, button, on) => {
    for (const b of form.querySelectorAll('button')) b.disabled = on;
    form.setAttribute('aria-busy', on ? 'true' : 'false');
    if (button && button.dataset.busy) {
      if (on) [button.dataset.idle, button.textContent] = [button.textContent, button.dataset.busy];
      else if (button.dataset.idle) button.textContent = button.dataset.idle;
    }
  };

  // Puts the <main> of the page `html` in place of ours; null when either is missing.
  const swapMain = (html) => {
    const page = new DOMParser().parseFromString(html, 'text/html');
    const fresh = page.querySelector('main');
    const main = document.querySelector('main');
    if (!fresh || !main) return null;
    main.replaceWith(fresh);
    document.title = page.title;
    return fresh;
  };

  const showRefusal = (form, html) => {
    const values = typed(form).map((f) => [f.name, f.type === 'checkbox' || f.type === 'radio' ? f.checked : f.value]);
    const fresh = swapMain(html);
    if (!fresh) return false;
    const again = fresh.querySelector(`form[action="${form.getAttribute('action')}"]`);
    if (again) {
      const fields = typed(again);
      for (const [name, value] of values) {
        const field = fields.find((f) => f.name === name);
        if (field && typeof value === 'boolean') field.checked = value;
        else if (field) field.value = value;
      }
    }
    const target = fresh.querySelector('[aria-invalid="true"]') || fresh.querySelector('.form-error');
    if (target) {
      if (!target.matches('input, select, textarea, button')) target.tabIndex = -1;
      target.focus();
    }
    return true;
  };

  const showStep = (html, answer) => {
    const fresh = swapMain(html);
    if (!fresh) return false;
    window.history.replaceState(null, '', answer.pathname + answer.search);
    const field = fresh.querySelector('input:not([type=hidden])');
    if (field) field.focus();
    return true;
  };

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.method !== 'post' || form.dataset.plain) return;
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const button = event.submitter;
    // Read before the buttons are disabled: a disabled button is not sent.
    const body = new URLSearchParams(new FormData(form, button));
    busy(form, button, true);
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        body,
        headers: { Accept: 'text/html' },
        credentials: 'same-origin',
      });
      if (!response.redirected) throw new Error('not a redirect');
      const answer = new URL(response.url);
      if (!answer.searchParams.has('__err')) {
        // A sign-in's second step is a form on this same page: it takes
        // the password form's place (the step itself is in a cookie).
        if (answer.origin === window.location.origin && answer.pathname === window.location.pathname
          && answer.searchParams.get('step') === 'code' && showStep(await response.text(), answer)) {
          busy(form, button, false);
          return;
        }
        window.location.assign(window.location.origin + localPathOrHome(answer));
        return;
      }
      if (!showRefusal(form, await response.text())) window.location.assign(answer.href);
    } catch (error) {
      busy(form, button, false);
      form.dataset.plain = 'true';
      form.requestSubmit(button);
      return;
    }
    busy(form, button, false);
  });

  // Tests and styles read this as: forms now post through a script.
  const ready = () => { document.body.dataset.hydrated = 'true'; };
  if (document.body) ready();
  else document.addEventListener('DOMContentLoaded', ready);
})();
