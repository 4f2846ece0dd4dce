/*
 * Progressive enhancements of the Console Correspondant Entreprise.
 *
 * Every page works without this script. It is loaded with `defer` under a
 * Content-Security-Policy that allows neither inline scripts nor eval, so it
 * only builds elements through DOM methods and never sets inline styles.
 *
 * It adds:
 * - a live password checklist that applies the server's password policy,
 * - a show/hide button on every new-password input,
 * - a copy button next to a proposed password,
 * - focus on the error summary of a rejected form, and links from that
 *   summary that move focus to the field.
 */
(function () {
  'use strict';

  // Password policy, the same rules as Check in internal/password/policy.go.
  // Lengths count Unicode code points after NFC normalisation.
  const MIN_LENGTH = 12;
  const MAX_LENGTH = 128;

  const UPPERCASE_LETTER = /\p{Lu}/u;
  const LOWERCASE_LETTER = /\p{Ll}/u;
  const LETTER = /\p{L}/u;
  const DECIMAL_DIGIT = /\p{Nd}/u;
  const MARK = /\p{M}/u;
  // The categories that the server's isNonPrintable rejects.
  const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;

  const MET_STATE = 'Respecté\u00a0:';
  const UNMET_STATE = 'Non respecté\u00a0:';

  // Replaces each lone surrogate with U+FFFD, so that the checklist judges the
  // string that the server receives. Form submission converts values to
  // Unicode scalar values the same way (web-platform-tests
  // html/semantics/forms/form-submission-0/form-data-set-usv.html).
  function toWellFormed(value) {
    if (typeof value.toWellFormed === 'function') {
      return value.toWellFormed();
    }

    let result = '';
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      const next = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
      const isHigh = code >= 0xd800 && code <= 0xdbff;
      const isLow = code >= 0xdc00 && code <= 0xdfff;

      if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
        result += value[i] + value[i + 1];
        i++;
      } else if (isHigh || isLow) {
        result += '\uFFFD';
      } else {
        result += value[i];
      }
    }
    return result;
  }

  // Evaluates every rule of the password policy and returns one boolean per
  // rule, keyed like the data-rule attributes of the checklist.
  //
  // A code point belongs to exactly one general category, so the special
  // rule is whatever is not a letter, a decimal digit, a mark or
  // non-printable: punctuation, symbols, spaces, other numbers, and code
  // points that are unassigned on the server.
  //
  // NOTE: the browser's Unicode version can differ from the server's, which
  // is the version of Go's unicode package (15.0.0 in Go 1.26). A code point
  // whose category differs between the two, such as one assigned only in the
  // newer version, is then judged differently here, and the server decides.
  function checkPassword(value) {
    const codePoints = Array.from(toWellFormed(value).normalize('NFC'));
    const result = {
      length: codePoints.length >= MIN_LENGTH,
      max_length: codePoints.length <= MAX_LENGTH,
      upper: false,
      lower: false,
      digit: false,
      special: false,
      printable: true
    };

    codePoints.forEach(function (c) {
      if (NON_PRINTABLE.test(c)) {
        result.printable = false;
      } else if (LETTER.test(c)) {
        // A letter that is neither uppercase nor lowercase, such as a CJK
        // ideograph or a titlecase digraph, counts toward neither rule.
        if (UPPERCASE_LETTER.test(c)) {
          result.upper = true;
        }
        if (LOWERCASE_LETTER.test(c)) {
          result.lower = true;
        }
      } else if (DECIMAL_DIGIT.test(c)) {
        result.digit = true;
      } else if (!MARK.test(c)) {
        result.special = true;
      }
    });

    return result;
  }

  // Updates the items of a checklist from the current password. Only items
  // whose state changes are touched, because the list is an aria-live region
  // and every change is read aloud.
  function updateChecklist(input, list) {
    const result = checkPassword(input.value);
    const items = list.querySelectorAll('li[data-rule]');

    Array.prototype.forEach.call(items, function (item) {
      const rule = item.getAttribute('data-rule');
      if (!Object.prototype.hasOwnProperty.call(result, rule)) {
        return; // An unknown rule keeps the state that the server rendered.
      }

      const met = result[rule];
      if (item.classList.contains('met') === met) {
        return;
      }

      item.classList.toggle('met', met);
      const state = item.querySelector('.checklist-state');
      if (state) {
        state.textContent = met ? MET_STATE : UNMET_STATE;
      }
    });
  }

  function setUpPasswordChecklists() {
    const inputs = document.querySelectorAll('input[data-password-checklist]');

    Array.prototype.forEach.call(inputs, function (input) {
      const list = document.getElementById(input.getAttribute('data-password-checklist'));
      if (!list) {
        return;
      }

      input.addEventListener('input', function () {
        updateChecklist(input, list);
      });

      // An empty input keeps the server's checklist, because after a rejected
      // submission that list describes the password that was sent, and the
      // server does not send the password back. A value that the browser
      // restored or filled in is checked at once.
      const syncWithRestoredValue = function () {
        if (input.value !== '') {
          updateChecklist(input, list);
        }
      };
      syncWithRestoredValue();
      window.addEventListener('pageshow', syncWithRestoredValue);
    });
  }

  // Builds a button label whose visible part is a short verb and whose
  // accessible name is the full phrase, for example "Afficher" seen and
  // "Afficher le mot de passe" heard. The accessible name contains the
  // visible text, as WCAG 2.5.3 (Label in Name) requires.
  function setButtonLabel(button, verb, rest) {
    const hidden = document.createElement('span');
    hidden.className = 'visually-hidden';
    hidden.textContent = rest;

    button.textContent = verb;
    button.appendChild(hidden);
  }

  function showPassword(input, button, visible) {
    input.type = visible ? 'text' : 'password';
    button.setAttribute('aria-pressed', visible ? 'true' : 'false');
    setButtonLabel(button, visible ? 'Masquer' : 'Afficher', ' le mot de passe');
  }

  function addPasswordToggle(input) {
    const wrapper = document.createElement('div');
    wrapper.className = 'password-input';
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button-secondary password-toggle';
    if (input.id) {
      button.setAttribute('aria-controls', input.id);
    }
    showPassword(input, button, false);
    wrapper.appendChild(button);

    button.addEventListener('click', function () {
      showPassword(input, button, input.type === 'password');
    });

    // Hide the password again before the form is sent, so the browser
    // neither stores it as text-field history nor shows it in plain text
    // when the page comes back from the back-forward cache.
    if (input.form) {
      input.form.addEventListener('submit', function () {
        showPassword(input, button, false);
      });
    }
  }

  function setUpPasswordToggles() {
    const inputs = document.querySelectorAll('input[type="password"][autocomplete="new-password"]');
    Array.prototype.forEach.call(inputs, addPasswordToggle);
  }

  // Writes a message into a live region. Emptying the region first makes
  // screen readers read the message again when it repeats.
  function announce(region, message) {
    region.textContent = '';
    window.setTimeout(function () {
      region.textContent = message;
    }, 100);
  }

  function addCopyButton(secret) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button-secondary copy-button';
    setButtonLabel(button, 'Copier', ' le mot de passe');

    const status = document.createElement('span');
    status.className = 'copy-status';
    status.setAttribute('role', 'status');

    secret.insertAdjacentElement('afterend', button);
    button.insertAdjacentElement('afterend', status);

    button.addEventListener('click', function () {
      navigator.clipboard.writeText(secret.textContent).then(
        function () {
          announce(status, 'Mot de passe copié.');
        },
        function () {
          announce(status, 'La copie a échoué. Sélectionnez le mot de passe et copiez-le avec le clavier.');
        }
      );
    });
  }

  function setUpCopyButtons() {
    // The Clipboard API exists only in secure contexts (HTTPS or localhost).
    // Elsewhere the password stays selectable in one click, so no button is
    // added.
    if (!navigator.clipboard || typeof navigator.clipboard.writeText !== 'function') {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll('code.secret'), addCopyButton);
  }

  // Returns the element that a link of the error summary should focus: the
  // field itself, or the first enabled control of a fieldset. Returns null
  // when there is nothing to focus.
  function findFocusTarget(target) {
    if (target.matches('input, select, textarea')) {
      return target.disabled ? null : target;
    }
    if (target.matches('fieldset')) {
      return target.querySelector('input:not([disabled]), select:not([disabled]), textarea:not([disabled])');
    }
    return null;
  }

  // Returns the label or legend that names a field, to scroll it into view
  // together with the field.
  function findCaption(target, field) {
    if (target.matches('fieldset')) {
      return target.querySelector('legend');
    }
    if (field.labels && field.labels.length > 0) {
      return field.labels[0];
    }
    return null;
  }

  function setUpErrorSummary() {
    const summary = document.querySelector('.error-summary[tabindex]');
    if (!summary) {
      return;
    }
    summary.focus();

    // A plain fragment link scrolls to the field but leaves keyboard focus on
    // the link, and a fieldset cannot take focus at all. Move focus to the
    // control and keep its label in view.
    summary.addEventListener('click', function (event) {
      const link = event.target.closest('a[href^="#"]');
      if (!link) {
        return;
      }

      const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) {
        return;
      }
      const field = findFocusTarget(target);
      if (!field) {
        return;
      }

      event.preventDefault();
      const caption = findCaption(target, field) || field;
      caption.scrollIntoView({ block: 'start' });
      field.focus({ preventScroll: true });
    });
  }

  setUpPasswordToggles();
  setUpPasswordChecklists();
  setUpCopyButtons();
  setUpErrorSummary();
})();
