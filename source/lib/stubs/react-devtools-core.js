// Ink imports react-devtools-core only when DEV=true; the bundle must not pull it in.
export default {initialize() {}, connectToDevTools() {}};
