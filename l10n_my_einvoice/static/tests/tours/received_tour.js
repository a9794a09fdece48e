import { registry } from "@web/core/registry";
import { screenshot, tourData } from "./tour_utils";

/** An accountant opens a bill made from a supplier's e-invoice and rejects the e-invoice. */
registry.category("web_tour.tours").add("l10n_my_einvoice_received_tour", {
    steps: () => {
        const data = tourData();
        return [
            {
                content: "the bill says what to check",
                trigger: ".o_form_view div[name=l10n_my_einvoice_received_notes]",
            },
            {
                content: "its lines, as the supplier wrote them",
                trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row",
            },
            ...screenshot("received-bill-lines"),
            {
                content: "open the received e-invoice tab",
                trigger: ".o_form_view .o_notebook .nav-link[name=l10n_my_einvoice_received]",
                run: "click",
            },
            {
                content: "the e-invoice's UUID on the bill",
                trigger: `.o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_received_uuid]:contains(${data.uuid})`,
            },
            {
                content: "and its validation link",
                trigger: `.o_notebook .tab-pane.active .o_field_widget[name=l10n_my_einvoice_received_link] a[href*="${data.uuid}/share/"]`,
            },
            ...screenshot("received-bill"),
            {
                content: "reject the e-invoice",
                trigger: ".o_form_view .o_form_statusbar button[name=action_l10n_my_einvoice_reject_received]",
                run: "click",
            },
            {
                content: "the reason",
                trigger: ".modal .o_field_widget[name=reason] input",
                run: "edit Wrong quantity: 8 routers delivered, not 10",
            },
            ...screenshot("received-reject-wizard"),
            {
                content: "confirm",
                trigger: ".modal footer button[name=action_confirm]",
                run: "click",
            },
            {
                content: "LHDN holds the rejection: the notification",
                trigger: "body:not(:has(.modal)) .o_notification .o_notification_bar.bg-success",
            },
            {
                content: "the bill shows the rejection, and no more Reject button",
                trigger: ".o_form_view:not(:has(button[name=action_l10n_my_einvoice_reject_received])) div[name=l10n_my_einvoice_received_rejecting]",
            },
        ];
    },
});
