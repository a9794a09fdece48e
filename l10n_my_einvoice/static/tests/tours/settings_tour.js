import { registry } from "@web/core/registry";
import { pickMany2one, readText, screenshot, scrollTo, tourData } from "./tour_utils";

function edit(field, value) {
    return {
        content: `set ${field}`,
        trigger: `.o-settings-form-view .o_field_widget[name=${field}] input`,
        run: `edit ${value}`,
    };
}

/** Choose the option of a selection field by its place (the test gives it: no label). */
function choose(field, index) {
    return [
        {
            content: `open ${field}`,
            trigger: `.o-settings-form-view .o_field_widget[name=${field}] .o_select_menu_toggler`,
            run: "click",
        },
        {
            content: `choose option ${index} of ${field}`,
            trigger: `.o_field_selection_menu .o_select_menu_item[data-choice-index="${index}"]`,
            run: "click",
        },
        {
            content: `${field} chosen`,
            trigger: "body:not(:has(.o_field_selection_menu))",
        },
    ];
}

/**
 * An administrator sets up MyInvois in Settings > Invoicing: identity, connection,
 * the certificate (uploaded through the wizard), then tests the connection.
 */
registry.category("web_tour.tours").add("l10n_my_einvoice_settings_tour", {
    url: "/odoo/action-account.action_account_config",
    steps: () => [
        {
            content: "the MyInvois settings",
            trigger: ".o-settings-form-view #l10n_my_einvoice_connection",
        },
        scrollTo(".o-settings-form-view #l10n_my_einvoice_identity"),
        edit("l10n_my_einvoice_company_vat", tourData().tin),
        ...choose("l10n_my_identification_type", tourData().brn_index),
        edit("l10n_my_identification_number", tourData().brn),
        ...pickMany2one(".o-settings-form-view", "l10n_my_einvoice_msic_id", tourData().msic, "MSIC code"),
        ...choose("l10n_my_einvoice_environment", tourData().custom_index),
        edit("l10n_my_einvoice_custom_url", tourData().api_url),
        edit("l10n_my_einvoice_client_id", tourData().client_id),
        edit("l10n_my_einvoice_client_secret", tourData().client_secret),
        {
            content: "save (the settings reload the page)",
            trigger: ".o_control_panel .o_form_button_save:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "saved: the API URL is the emulator's",
            trigger: `.o-settings-form-view:not(:has(.o_dirty_warning)) .o_field_widget[name=l10n_my_einvoice_api_url]:contains("${tourData().api_url}")`,
        },
        scrollTo(".o-settings-form-view #l10n_my_einvoice_connection"),
        {
            content: "upload the certificate",
            trigger: ".o-settings-form-view #l10n_my_einvoice_certificate button[name=action_l10n_my_einvoice_upload_certificate]",
            run: "click",
        },
        {
            content: "the PKCS#12 file",
            trigger: ".modal .o_field_widget[name=certificate]",
            async run() {
                const input = this.anchor.querySelector("input[type=file]");
                const response = await fetch(`/web/content/${tourData().attachment_id}`);
                const file = new File([await response.blob()], "company.p12", {
                    type: "application/x-pkcs12",
                });
                const transfer = new DataTransfer();
                transfer.items.add(file);
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "the file is read",
            trigger: '.modal .o_field_widget[name=certificate] input.o_input:value("company.p12")',
        },
        {
            content: "its password",
            trigger: ".modal .o_field_widget[name=password] input",
            run: `edit ${tourData().password}`,
        },
        ...screenshot("certificate-wizard"),
        {
            content: "upload",
            trigger: ".modal footer button[name=action_upload]",
            run: "click",
        },
        {
            content: "the certificate is ready",
            trigger: `body:not(:has(.modal)) .o-settings-form-view #l10n_my_einvoice_certificate .o_field_widget[name=l10n_my_einvoice_cert_tin]:contains("${tourData().tin}")`,
        },
        {
            content: "no warning on the certificate",
            trigger: ".o-settings-form-view #l10n_my_einvoice_certificate .alert-success",
        },
        {
            content: "mark the screen: the notification reloads it",
            trigger: ".o-settings-form-view",
            run() {
                this.anchor.dataset.l10nMyEinvoiceBeforeReload = "1";
            },
        },
        {
            content: "test the connection",
            trigger: ".o-settings-form-view #l10n_my_einvoice_connection button[name=action_l10n_my_einvoice_test_connection]",
            run: "click",
        },
        {
            content: "connected",
            trigger: `.o_notification:has(.o_notification_bar.bg-success):contains("${tourData().api_url}")`,
        },
        readText("notification", ".o_notification:has(.o_notification_bar.bg-success)"),
        {
            content: "the screen is reloaded",
            trigger: ".o-settings-form-view:not([data-l10n-my-einvoice-before-reload]) #l10n_my_einvoice_certificate .alert-success",
        },
        scrollTo(".o-settings-form-view #l10n_my_einvoice_identity"),
        ...screenshot("settings"),
    ],
});
