// The query page's SPARQL editor: CodeMirror 6 with SPARQL highlighting, completion of the graph's prefixes
// and terms, and Ctrl/Cmd+Enter to run. It enhances a <textarea> that works on its own without JavaScript.
import {EditorView, keymap, lineNumbers, highlightActiveLine} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap} from "@codemirror/commands";
import {StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching} from "@codemirror/language";
import {sparql} from "@codemirror/legacy-modes/mode/sparql";
import {autocompletion, completionKeymap, closeBrackets} from "@codemirror/autocomplete";

export function attach(textarea, {completions, onRun}) {
  const complete = (context) => {
    const word = context.matchBefore(/[\w:#-]+/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    return {from: word.from, options: completions, validFor: /^[\w:#-]*$/};
  };
  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      lineNumbers(), history(), bracketMatching(), closeBrackets(), highlightActiveLine(),
      StreamLanguage.define(sparql), syntaxHighlighting(defaultHighlightStyle),
      autocompletion({override: [complete]}),
      // Tab is left to the browser, so that keyboard users can leave the editor
      keymap.of([{key: "Mod-Enter", run: () => { onRun(); return true; }},
                 ...completionKeymap, ...defaultKeymap, ...historyKeymap]),
      EditorView.contentAttributes.of({"aria-label": "SPARQL query", "aria-multiline": "true"}),
      EditorView.updateListener.of((update) => { if (update.docChanged) textarea.value = update.state.doc.toString(); }),
    ],
  });
  textarea.hidden = true;
  textarea.after(view.dom);
  return {
    get: () => view.state.doc.toString(),
    set: (text) => view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}}),
    focus: () => view.focus(),
  };
}
