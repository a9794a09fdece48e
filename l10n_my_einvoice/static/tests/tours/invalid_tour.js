import { registry } from "@web/core/registry";
import { readText, screenshot, tourData } from "./tour_utils";

const ERRORS = ".alert-danger .o_field_widget[name=l10n_my_einvoice_error_html]";

/** An Invalid invoice: LHDN's errors on the records to fix, with how to fix them. */
registry.category("web_tour.tours").add("l10n_my_einvoice_invalid_tour", {
    steps: () => [
        {
            content: "the red banner links the customer to fix",
            trigger: `${ERRORS} a[href="${tourData().customer_url}"]`,
        },
        readText("errors", ERRORS),
        readText("fix_label", `${ERRORS} li em`),
        ...screenshot("invalid"),
    ],
});
