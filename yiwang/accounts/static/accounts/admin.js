// Accessible names for the controls Django's admin leaves without one. Loaded on every admin
// page by templates/admin/base_site.html, deferred: it runs after the admin's own scripts
// have registered their handlers, so the handlers below run after theirs.
'use strict';
{
    let counter = 0;

    // The element that names `control` on screen: its <label>, else, in a tabular inline,
    // the header of its column. Given an id so that aria-labelledby can point at it.
    function nameElement(control) {
        let element = control.labels[0];
        const cell = control.closest('.tabular td');
        if (!element && cell) {
            const head = cell.closest('table').tHead;
            element = head && head.rows[0].cells[cell.cellIndex];
        }
        if (element && !element.textContent.trim()) {
            return null;
        }
        if (element && !element.id) {
            element.id = 'yiwang-name-' + ++counter;
        }
        return element;
    }

    function labelledBy(element, ids) {
        const known = (element.getAttribute('aria-labelledby') || '').split(/\s+/);
        element.setAttribute('aria-labelledby', [...new Set([...ids, ...known])].join(' ').trim());
    }

    function name(root) {
        // Tabular inlines draw their fields in table cells under column headers, without
        // <label>s (and the "Delete?" checkbox under its own header).
        const inputs = 'input:not([type=hidden]), select, textarea';
        root.querySelectorAll(`.tabular td :is(${inputs})`).forEach((control) => {
            if (control.labels.length || control.hasAttribute('aria-label')) {
                return;
            }
            const header = nameElement(control);
            if (header) {
                labelledBy(control, [header.id]);
            }
        });
        // select2 (autocomplete_fields) names its combobox by the selected text only, which
        // is empty until something is chosen: the field's label comes first. The selected
        // text is shown in a read-only "textbox" of its own without a name: plain text.
        root.querySelectorAll('select.admin-autocomplete').forEach((select) => {
            const container = select.nextElementSibling;
            const combobox = container && container.querySelector('.select2-selection');
            const label = combobox && nameElement(select);
            if (label) {
                labelledBy(combobox, [label.id]);
            }
            combobox?.querySelectorAll('[role=textbox][aria-readonly]').forEach((text) => {
                text.removeAttribute('role');
                text.removeAttribute('aria-readonly');
            });
        });
        // filter_horizontal's search boxes are labelled by an icon whose aria-label is not
        // allowed on a plain span: as an image it is allowed, and it names the box.
        root.querySelectorAll('.selector-filter .search-label-icon[aria-label]').forEach((icon) => {
            icon.setAttribute('role', 'img');
        });
    }

    // SelectFilter2 builds its boxes on "load"; select2 replaces the selects on jQuery's
    // DOM ready, which jQuery 3 runs from a timer, so it may come after "load": both.
    window.addEventListener('load', () => name(document));
    if (window.django && django.jQuery) {
        django.jQuery(() => name(document));
    }
    // Rows added with "Add another" (after the admin's own handlers set up their widgets).
    document.addEventListener('formset:added', (event) => name(event.target));
}
