// The console's one script (compiled into the node). It only improves
// forms that work without it: a 居民身份证 number is checked (GB 11643
// check digit) before submit, and the first field in error is focused.
(function () {
  'use strict';
  var W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var C = '10X98765432';
  function problem(v, zh) {
    v = v.trim().toUpperCase();
    if (v.length !== 18) {
      return zh ? '居民身份证号码应为 18 位，现为 ' + v.length + ' 位'
                : 'a resident ID number has 18 characters, this one has ' + v.length;
    }
    var sum = 0;
    for (var i = 0; i < 17; i++) {
      var c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) {
        return zh ? '第 ' + (i + 1) + ' 位“' + v[i] + '”应为数字'
                  : 'character ' + (i + 1) + ' (' + v[i] + ') must be a digit';
      }
      sum += c * W[i];
    }
    var want = C[sum % 11];
    if (v[17] !== want) {
      return zh ? '第 18 位校验码应为“' + want + '”，现为“' + v[17] + '”，请核对号码'
                : 'check digit (character 18) should be ' + want + ', not ' + v[17] + ': check the number';
    }
    return '';
  }
  document.addEventListener('DOMContentLoaded', function () {
    var zh = (document.documentElement.lang || '').indexOf('zh') === 0;
    var inputs = document.querySelectorAll('input[data-id-check=resident]');
    inputs.forEach(function (input) {
      var kind = input.form && input.form.querySelector('[name=id_type]');
      function check() {
        var resident = !kind || kind.value === 'resident' || kind.value === 'resident-id';
        input.setCustomValidity(resident && input.value ? problem(input.value, zh) : '');
      }
      input.addEventListener('input', check);
      if (kind) { kind.addEventListener('change', check); }
    });
    var bad = document.querySelector('[aria-invalid=true]');
    if (bad) { bad.focus(); }
  });
})();
