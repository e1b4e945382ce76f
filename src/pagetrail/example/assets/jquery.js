/* Stand-in for jQuery on the pagetrail example site: the page needs no script to be read. */
window.jQuery = window.$ = function( f ) { if ( typeof f === 'function' ) { document.addEventListener( 'DOMContentLoaded', f ); } };
