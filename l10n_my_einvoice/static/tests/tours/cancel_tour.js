import { registry } from "@web/core/registry";
import { openMyInvoisTab, readText, screenshot } from "./tour_utils";

/** An accountant cancels a Valid e-invoice at LHDN, with the reason the buyer is shown. */
registry.category("web_tour.tours").add("l10n_my_einvoice_cancel_tour", {
    steps: () => [
        {
            content: "a Valid invoice: cancel its e-invoice",
            trigger: ".o_form_view .o_form_statusbar button[name=action_l10n_my_einvoice_cancel]",
            run: "click",
        },
        {
            content: "the reason",
            trigger: ".modal .o_field_widget[name=reason] input",
            run: "edit Wrong buyer: re-issued to the right company",
        },
        ...screenshot("cancel-wizard"),
        {
            content: "confirm",
            trigger: ".modal footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "cancelled at LHDN: the notification",
            trigger: "body:not(:has(.modal)) .o_notification .o_notification_bar.bg-success",
        },
        {
            content: "no more Cancel button",
            trigger: ".o_form_view:not(:has(button[name=action_l10n_my_einvoice_cancel])) .o_form_statusbar",
        },
        ...openMyInvoisTab(),
        readText("state", ".o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_state]"),
        {
            content: "the reason in the list of versions",
            trigger: '.o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_document_ids] .o_data_row td[name=cancel_reason]:contains("Wrong buyer")',
        },
    ],
});
