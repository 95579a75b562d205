// Stylesheets have no behaviour to test; components import them only for their side effect.
module.exports = {};
