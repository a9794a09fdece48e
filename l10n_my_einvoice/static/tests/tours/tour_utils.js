/**
 * Shared by the l10n_my_einvoice tours (tests/test_tours.py, tests/tour_helpers.py).
 * Selectors name buttons, fields, notebook pages and CSS classes, never a translated
 * text, so that the same tours run for a user whose language is Malay.
 */

const MARKER = "l10n_my_einvoice_tour:";
const DATA_COOKIE = "l10n_my_einvoice_tour=";

/** The data the test put in the tour's cookie (ids, the UUID and link to expect). */
export function tourData() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith(DATA_COOKIE));
    return cookie ? JSON.parse(decodeURIComponent(cookie.slice(DATA_COOKIE.length))) : {};
}

function say(message) {
    console.log(MARKER + JSON.stringify(message));
}

/**
 * The screen as it is now, saved by the test when L10N_MY_EINVOICE_SCREENSHOTS is set:
 * the tour waits for the test's answer (always given), so nothing moves meanwhile.
 */
export function screenshot(name) {
    return [
        {
            content: `screenshot ${name}`,
            trigger: "body",
            run: () => say({ screenshot: name }),
        },
        {
            content: `screenshot ${name} taken`,
            trigger: `body[data-l10n-my-einvoice-shot="${name}"]`,
        },
    ];
}

/** Hand the text of the trigger to the test (tour_reads[key]), e.g. a translated label. */
export function readText(key, trigger) {
    return {
        content: `read ${key}`,
        trigger,
        run() {
            say({ read: key, text: this.anchor.textContent.trim() });
        },
    };
}

/** Open the MyInvois page of the invoice form's notebook. */
export function openMyInvoisTab() {
    return [
        {
            content: "open the MyInvois tab",
            trigger: ".o_form_view .o_notebook .nav-link[name=l10n_my_einvoice]",
            run: "click",
        },
        {
            content: "the MyInvois tab is open",
            trigger: ".o_notebook .nav-link.active[name=l10n_my_einvoice]",
        },
        {
            content: "the MyInvois status is shown",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_state]",
        },
    ];
}

export function scrollTo(trigger) {
    return {
        content: `scroll to ${trigger}`,
        trigger,
        run() {
            this.anchor.scrollIntoView({ block: "start" });
        },
    };
}

/** Type ``text`` in the many2one field ``name`` (inside ``scope``) and pick it in the dropdown. */
export function pickMany2one(scope, name, text, what = name) {
    return [
        {
            content: `the ${what}`,
            trigger: `${scope} .o_field_widget[name=${name}] input`,
            run: `edit ${text}`,
        },
        {
            content: `pick ${text} in the dropdown`,
            trigger: `.o-autocomplete--dropdown-menu .ui-menu-item a:contains("${text}")`,
            run: "click",
        },
    ];
}
