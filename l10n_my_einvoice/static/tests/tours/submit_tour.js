import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { openMyInvoisTab, pickMany2one, readText, screenshot, scrollTo, tourData } from "./tour_utils";

/**
 * An invoicing user creates a customer invoice, posts it and submits it to MyInvois.
 * The test then runs the submission and poll crons against the emulator, and
 * l10n_my_einvoice_valid_tour checks the outcome.
 */
registry.category("web_tour.tours").add("l10n_my_einvoice_submit_tour", {
    url: "/odoo/action-account.action_move_out_invoice_type/new",
    steps: () => [
        ...pickMany2one(".o_form_view", "partner_id", tourData().customer, "customer"),
        {
            content: "the customer is set",
            trigger: `.o_field_widget[name=partner_id] input:value("${tourData().customer}")`,
        },
        {
            content: "show the product column of the lines",
            trigger: ".o_field_widget[name=invoice_line_ids] .o_optional_columns_dropdown_toggle",
            run: "click",
        },
        {
            content: "the product column",
            trigger: ".o-dropdown-item input[name=product_id]",
            run: "check",
        },
        {
            content: "close the list of columns",
            trigger: ".o_field_widget[name=invoice_line_ids] .o_optional_columns_dropdown_toggle",
            run: "click",
        },
        {
            content: "add a line",
            trigger: ".o_field_widget[name=invoice_line_ids] .o_field_x2many_list_row_add a:first-of-type",
            run: "click",
        },
        ...pickMany2one(
            ".o_field_widget[name=invoice_line_ids] .o_selected_row",
            "product_id",
            tourData().product,
            "product"
        ),
        {
            content: "the product is on the line",
            trigger: `.o_field_widget[name=invoice_line_ids] .o_selected_row .o_field_widget[name=product_id] input:value("${tourData().product}")`,
        },
        ...stepUtils.saveForm(),
        {
            content: "post the invoice",
            trigger: ".o_form_view .o_form_statusbar button[name=action_post]:enabled",
            run: "click",
        },
        {
            content: "posted: the Submit button is there",
            trigger: ".o_form_view .o_form_statusbar button[name=action_l10n_my_einvoice_submit]",
        },
        readText("submit_button", ".o_form_statusbar button[name=action_l10n_my_einvoice_submit]"),
        {
            content: "submit it to MyInvois",
            trigger: ".o_form_statusbar button[name=action_l10n_my_einvoice_submit]:enabled",
            run: "click",
        },
        {
            content: "queued: the notification",
            trigger: ".o_notification .o_notification_bar.bg-info",
        },
        {
            content: "queued: the banner over the sheet, and no Submit button any more",
            trigger:
                ".o_form_view:not(:has(button[name=action_l10n_my_einvoice_submit])) .alert-info .o_field_widget[name=l10n_my_einvoice_state]",
        },
        ...openMyInvoisTab(),
        scrollTo(".o_form_view .o_notebook"),
        ...screenshot("invoice-queued"),
    ],
});

/**
 * The invoice is Valid: its MyInvois tab shows the UUID and the validation link, and
 * the invoice's printed version (its HTML) carries the MyInvois block with the QR code.
 */
registry.category("web_tour.tours").add("l10n_my_einvoice_valid_tour", {
    steps: () => [
        {
            content: "the invoice is open, Valid: its e-invoice can be checked at LHDN",
            trigger: ".o_form_view .o_form_statusbar button[name=action_l10n_my_einvoice_check_lhdn]",
        },
        {
            content: "Valid: no Submit button, no banner waiting for LHDN",
            trigger: ".o_form_view:not(:has(button[name=action_l10n_my_einvoice_submit])):not(:has(.alert-info .o_field_widget[name=l10n_my_einvoice_state]))",
        },
        ...openMyInvoisTab(),
        readText("state", ".o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_state]"),
        {
            content: "the UUID LHDN gave",
            trigger: `.o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_uuid]:contains("${tourData().uuid}")`,
        },
        {
            content: "the validation link",
            trigger: `.o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_validation_link] a[href="${tourData().link}"]`,
        },
        {
            content: "the document Valid in the list of versions",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_document_ids] .o_data_row .o_field_badge .text-bg-success",
        },
        scrollTo(".o_form_view .o_notebook"),
        ...screenshot("invoice-valid"),
        {
            content: "open the invoice as printed (its HTML version)",
            trigger: "body",
            run() {
                const frame = document.createElement("iframe");
                frame.className = "o_l10n_my_einvoice_tour_report";
                frame.style.cssText =
                    "position: fixed; inset: 0; width: 100%; height: 100%; z-index: 10000; background: white; border: 0;";
                frame.src = `/report/html/account.report_invoice/${tourData().move_id}`;
                document.body.appendChild(frame);
            },
        },
        {
            content: "the MyInvois block, with its QR code",
            trigger: `.o_l10n_my_einvoice_tour_report:iframe #l10n_my_einvoice_block img[src^="data:image/png;base64,"]`,
        },
        {
            content: "the MyInvois block, with the UUID and the link",
            trigger: `.o_l10n_my_einvoice_tour_report:iframe #l10n_my_einvoice_block:contains("${tourData().uuid}"):contains("${tourData().link}")`,
            run() {
                this.anchor.scrollIntoView({ block: "center" });
            },
        },
        ...screenshot("pdf-block"),
        {
            content: "close the printed version",
            trigger: ".o_l10n_my_einvoice_tour_report",
            run() {
                this.anchor.remove();
            },
        },
        {
            content: "back on the invoice",
            trigger: "body:not(:has(.o_l10n_my_einvoice_tour_report)) .o_form_view",
        },
    ],
});
