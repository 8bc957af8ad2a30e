const fs = require('node:fs');
module.exports = (file) => fs.readFileSync(file, 'utf8').length;
