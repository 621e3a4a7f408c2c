// Simplified Chinese catalogue: English text (or an id such as "error.unknown_column") →
// Chinese. Split by area; keys missing here fall back to English (www/i18n.js).
import common from "./zh-common.js";
import workbench from "./zh-workbench.js";
import more from "./zh-more.js";
import index from "./zh-index.js";
import messages from "./zh-messages.js";
import tables from "./zh-tables.js";
import report from "./zh-report.js";

export default { ...common, ...workbench, ...more, ...index, ...messages, ...tables, ...report };
